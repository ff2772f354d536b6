"""The `edi` subcommands: thin wrappers that parse options and call the library."""
