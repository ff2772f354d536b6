"""Acknowledgments written from validation findings: the 999 and the TA1."""
