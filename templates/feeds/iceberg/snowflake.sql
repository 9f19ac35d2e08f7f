{% autoescape off %}CREATE EXTERNAL VOLUME exporthub_{{ name }}
  STORAGE_LOCATIONS = ((
    NAME = 'exporthub_{{ name }}'
    STORAGE_PROVIDER = '{{ provider }}'
    STORAGE_BASE_URL = '{{ base_url }}/'
    {{ access }}
  ));
CREATE CATALOG INTEGRATION exporthub_object_store
  CATALOG_SOURCE = OBJECT_STORE TABLE_FORMAT = ICEBERG ENABLED = TRUE;
CREATE ICEBERG TABLE {{ name }}
  EXTERNAL_VOLUME = 'exporthub_{{ name }}'
  CATALOG = 'exporthub_object_store'
  METADATA_FILE_PATH = '{{ metadata_file }}';
-- After a later commit, point it at the new metadata file shown on this page:
-- ALTER ICEBERG TABLE {{ name }} REFRESH '<metadata/…metadata.json>';{% endautoescape %}
