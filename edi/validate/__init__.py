"""Validation of X12 files by WEDI SNIP type, plus code ordering rules."""
