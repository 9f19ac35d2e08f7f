"""A raw window's export: its file (`window`) and, where asked for, its completion manifest
(`completion`)."""
