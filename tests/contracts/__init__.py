"""Contract tests: the documents describing the protocol, checked against the code."""
