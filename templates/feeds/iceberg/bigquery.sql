{% autoescape off %}{% if omni %}-- Outside Cloud Storage: through a BigQuery Omni connection in the bucket's region.
{% endif %}CREATE OR REPLACE EXTERNAL TABLE `<project>.<dataset>.{{ name }}`
  WITH CONNECTION `<project>.<region>.<connection>`
  OPTIONS (format = 'ICEBERG', uris = ['{{ uri }}']);
-- A BigLake table reads the metadata file it names: run this again after a later commit.{% endautoescape %}
