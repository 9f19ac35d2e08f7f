{% autoescape off %}INSTALL iceberg; LOAD iceberg;
-- The bucket's credentials first, e.g. CREATE SECRET (TYPE s3, PROVIDER credential_chain);
SELECT * FROM iceberg_scan('{{ metadata_location }}') LIMIT 10;

-- Or attach ExportHub's catalog: every table of yours, always the latest commit.
CREATE SECRET exporthub (TYPE iceberg, TOKEN '<API key>');
ATTACH 'exporthub' AS exporthub (TYPE iceberg, SECRET exporthub,
    ENDPOINT '{{ catalog_uri }}', ACCESS_DELEGATION_MODE 'none');
SELECT * FROM exporthub.{{ qualified }} LIMIT 10;{% endautoescape %}
