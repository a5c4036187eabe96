"""The one grammar of SPEC section 3: text in, a typed command or a helpful error out."""

from commands.grammar import Command, ParseError, PersonRef, parse
from commands.help import help_lines, usage

__all__ = ["Command", "ParseError", "PersonRef", "help_lines", "parse", "usage"]
