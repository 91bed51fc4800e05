"""The command line: one parser, the sub-commands, and what they print (no Textual at import)."""
