"""The synthetic demo council, so the bot can be tried and benchmarked without any real data.

`demo.generate` writes the five import files of SPEC section 5 for "Northshire County Council";
the importers load them exactly as they would a council's own extracts.
"""
