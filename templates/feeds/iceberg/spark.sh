{% autoescape off %}# ExportHub's REST catalog (the table's latest commit, found by name)
spark-sql \
  --conf spark.sql.catalog.exporthub=org.apache.iceberg.spark.SparkCatalog \
  --conf spark.sql.catalog.exporthub.type=rest \
  --conf spark.sql.catalog.exporthub.uri={{ catalog_uri }} \
  --conf spark.sql.catalog.exporthub.token=<API key> \
  --conf spark.sql.catalog.exporthub.io-impl={{ file_io }} \
  -e "SELECT * FROM exporthub.{{ qualified }} LIMIT 10"
{% if hadoop %}
# A Hadoop catalog on the bucket (its version-hint.text names the latest commit)
spark-sql \
  --conf spark.sql.catalog.lake=org.apache.iceberg.spark.SparkCatalog \
  --conf spark.sql.catalog.lake.type=hadoop \
  --conf spark.sql.catalog.lake.warehouse={{ hadoop.warehouse }} \
  -e "SELECT * FROM lake.{{ hadoop.namespace }}.{{ hadoop.table }} LIMIT 10"{% else %}
# Without any catalog: the table's folder (its version-hint.text names the latest commit)
spark.read.format("iceberg").load("{{ folder }}").show(){% endif %}{% endautoescape %}
