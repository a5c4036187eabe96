"""The performance report for the scrutiny committee (SPEC section 11): data, charts, HTML, PDF."""
