"""A log-level hour's export: seed 004's protocol (`protocol`), where an attempt's parts and
manifest go (`hour`), an earlier attempt adopted (`recovery`), a large hour in slices
(`slices`)."""
