"""835 remittance advice as business JSON, both ways: read, CSV rows, build with balancing checks."""

FORMAT = "edi.remittance/1"
