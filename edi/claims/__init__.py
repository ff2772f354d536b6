"""837 claims as business JSON, both ways: read an 837 into claims JSON, build an 837 from it."""

FORMAT = "edi.claims/1"
