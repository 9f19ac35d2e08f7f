"""Every feed's columns, defined once, and what is derived from them for consumers (CSV
header, Avro schema, .proto; the shipped files in published/)."""
