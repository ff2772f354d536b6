"""Reading and writing X12: tokenizer, envelope, guide grammars and writer."""
