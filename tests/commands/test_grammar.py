"""SPEC section 3: the chat command grammar, one test per promise."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commands import Command, ParseError, PersonRef, help_lines, parse, usage
from commands.grammar import MAX_INPUT_CHARS, VERBS
from commands.help import HELP_TEXT


def command(text: str, verb: str | None = None) -> Command:
    result = parse(text, verb=verb)
    assert isinstance(result, Command), result
    return result


def error(text: str, verb: str | None = None) -> ParseError:
    result = parse(text, verb=verb)
    assert isinstance(result, ParseError), result
    return result


# --- How the verb arrives -------------------------------------------------------------------


def test_slack_verb_given_separately_parses_the_arguments() -> None:
    assert command("team North", verb="caseload") == Command(
        verb="caseload", scope="team", team="North", raw="team North"
    )


def test_slack_verb_may_arrive_with_its_slash() -> None:
    assert command("overdue", verb="/caseload").scope == "overdue"


def test_whole_message_with_slash_names_the_verb() -> None:
    assert command("/caseload unallocated").scope == "unallocated"


def test_whole_message_without_slash_names_the_verb() -> None:
    assert command("caseload unallocated").scope == "unallocated"


def test_verbs_and_keywords_are_case_insensitive() -> None:
    result = command("/CaseLoad TEAM North")
    assert (result.verb, result.scope, result.team) == ("caseload", "team", "North")


def test_slack_verb_is_case_insensitive() -> None:
    assert command("", verb="/PROTECTED").verb == "protected"


def test_teams_bot_mention_is_stripped_before_the_verb() -> None:
    result = command("<at>Caseload Bot</at> caseload team North")
    assert (result.verb, result.scope, result.team) == ("caseload", "team", "North")


def test_teams_bot_mention_with_attributes_is_stripped() -> None:
    assert command('<at id="0">Caseload Bot</at>&nbsp;/actions mine').scope == "mine"


def test_slack_bot_mention_is_stripped_before_the_verb() -> None:
    assert command("<@UBOT123> supervision").verb == "supervision"


def test_raw_keeps_the_original_text() -> None:
    original = "<at>Caseload Bot</at>  caseload   overdue "
    assert command(original).raw == original


def test_unknown_verb_is_an_error_quoting_it() -> None:
    result = error("frobnicate the cases")
    assert '"frobnicate"' in result.message
    assert result.verb is None
    assert "/caseload" in result.usage and "/actions" in result.usage


def test_unknown_slack_verb_is_an_error_quoting_it() -> None:
    result = error("team North", verb="/cases")
    assert '"/cases"' in result.message
    assert result.verb is None


def test_empty_message_is_an_error_listing_every_command() -> None:
    result = error("   ")
    assert result.usage == usage("all")


def test_bot_mention_alone_is_an_error_listing_every_command() -> None:
    assert error("<at>Caseload Bot</at>").usage == usage("all")


# --- /caseload ------------------------------------------------------------------------------


def test_caseload_alone_is_the_askers_scope() -> None:
    assert command("", verb="caseload") == Command(verb="caseload", scope="mine")


def test_caseload_team_name_keeps_spaces_and_case() -> None:
    assert command("team Children in Need North", verb="caseload").team == (
        "Children in Need North"
    )


def test_caseload_team_name_collapses_whitespace() -> None:
    assert command("caseload team  Children \t in   Need\nNorth ").team == (
        "Children in Need North"
    )


def test_caseload_team_name_unescapes_slack_ampersand() -> None:
    assert command("team Children &amp; Families", verb="caseload").team == (
        "Children & Families"
    )


def test_caseload_team_without_name_says_which_team() -> None:
    result = error("team", verb="caseload")
    assert "which team" in result.message
    assert "/caseload team NAME" in result.usage


def test_caseload_unallocated() -> None:
    assert command("unallocated", verb="caseload").scope == "unallocated"


def test_caseload_overdue() -> None:
    assert command("OVERDUE", verb="caseload").scope == "overdue"


def test_caseload_unallocated_rejects_extra_words_quoting_them() -> None:
    result = error("unallocated please", verb="caseload")
    assert '"please"' in result.message
    assert result.verb == "caseload"


def test_caseload_capacity_without_case_type_means_any() -> None:
    result = command("capacity", verb="caseload")
    assert (result.scope, result.case_type) == ("capacity", None)


@pytest.mark.parametrize("typed, case_type", [("cp", "CP"), ("CIN", "CIN"), ("Lac", "LAC")])
def test_caseload_capacity_case_type_is_upper_case(typed: str, case_type: str) -> None:
    assert command(f"capacity {typed}", verb="caseload").case_type == case_type


def test_caseload_capacity_rejects_other_case_types_quoting_them() -> None:
    result = error("capacity cl", verb="caseload")
    assert '"cl"' in result.message
    assert "cp, cin or lac" in result.message


def test_caseload_capacity_rejects_extra_words() -> None:
    assert '"now"' in error("capacity cp now", verb="caseload").message


def test_caseload_person_by_slack_mention() -> None:
    result = command("<@U0123ABC>", verb="caseload")
    assert (result.scope, result.person) == ("person", PersonRef("slack_user", "U0123ABC"))


def test_caseload_person_by_staff_id() -> None:
    assert command("caseload SW0042").person == PersonRef("staff_id", "SW0042")


def test_caseload_person_by_email() -> None:
    assert command("caseload jane.smith@county.gov.uk").person == PersonRef(
        "email", "jane.smith@county.gov.uk"
    )


def test_caseload_person_by_teams_mention() -> None:
    result = command("<at>Caseload Bot</at> caseload <at>Jane Smith</at>")
    assert result.person == PersonRef("teams_user", "Jane Smith")


def test_caseload_rejects_two_people_quoting_the_second() -> None:
    assert '"SW0043"' in error("SW0042 SW0043", verb="caseload").message


def test_caseload_unknown_word_is_an_error_quoting_it_with_caseload_usage() -> None:
    result = error("#everything", verb="caseload")
    assert '"#everything"' in result.message
    assert result.usage == usage("caseload")
    assert result.verb == "caseload"


def test_caseload_help_is_help_for_caseload() -> None:
    assert command("help", verb="caseload") == Command(verb="help", scope="caseload", raw="help")


def test_slash_caseload_help_in_a_message_is_help_for_caseload() -> None:
    result = command("/caseload help")
    assert (result.verb, result.scope) == ("help", "caseload")


# --- People, however the platform writes them -----------------------------------------------


def test_slack_mention_with_label_parses_to_slack_user() -> None:
    assert command("<@U0123ABC|jane.smith>", verb="caseload").person == PersonRef(
        "slack_user", "U0123ABC"
    )


def test_slack_mention_label_may_contain_spaces() -> None:
    assert command("<@U0123ABC|Jane Smith>", verb="protected").person == PersonRef(
        "slack_user", "U0123ABC"
    )


def test_slack_mailto_is_unwrapped_to_a_lower_case_email() -> None:
    typed = "<mailto:Jane.Smith@County.gov.uk|Jane.Smith@County.gov.uk>"
    assert command(typed, verb="caseload").person == PersonRef(
        "email", "jane.smith@county.gov.uk"
    )


def test_email_is_lower_cased() -> None:
    assert command("JANE@COUNTY.GOV.UK", verb="caseload").person == PersonRef(
        "email", "jane@county.gov.uk"
    )


def test_plain_at_name_is_kind_name() -> None:
    assert command("@jane", verb="caseload").person == PersonRef("name", "jane")


def test_teams_mention_value_is_the_display_name_with_whitespace_collapsed() -> None:
    assert command("protected <at>Jane   Smith</at>").person == PersonRef(
        "teams_user", "Jane Smith"
    )


def test_teams_mention_after_a_separate_verb_is_the_person_not_the_bot() -> None:
    assert command("<at>Jane Smith</at>", verb="caseload").person == PersonRef(
        "teams_user", "Jane Smith"
    )


def test_teams_mailto_link_is_read_as_the_address_typed() -> None:
    typed = 'caseload <a href="mailto:jane@county.gov.uk">Jane@County.gov.uk</a>'
    assert command(typed).person == PersonRef("email", "jane@county.gov.uk")


def test_staff_id_keeps_its_case_as_typed() -> None:
    assert command("sw_0042-b", verb="caseload").person == PersonRef("staff_id", "sw_0042-b")


def test_word_without_a_digit_is_not_a_staff_id_but_a_name() -> None:
    assert command("jane", verb="caseload").person == PersonRef("name", "jane")


def test_a_plain_full_name_is_one_person() -> None:
    assert command("caseload Imran Murphy").person == PersonRef("name", "Imran Murphy")


def test_at_and_a_full_name_is_one_person_not_a_name_and_an_extra_word() -> None:
    assert command("caseload @Imran Murphy").person == PersonRef("name", "Imran Murphy")


def test_surname_comma_first_name_is_one_person() -> None:
    assert command("protected Murphy, Imran").person == PersonRef("name", "Murphy, Imran")


def test_a_teams_mention_marked_from_its_entity_carries_the_id_and_full_name() -> None:
    typed = 'caseload <at data-id="aad-1" data-name="Imran Murphy">Imran</at>'
    assert command(typed).person == PersonRef("teams_user", "aad-1", label="Imran Murphy")


def test_a_name_of_more_than_four_words_is_not_a_name() -> None:
    assert isinstance(parse("caseload one two three four five"), ParseError)


def test_unclosed_teams_mention_is_not_a_person() -> None:
    assert isinstance(parse("<at>Jane Smith", verb="caseload"), ParseError)


def test_slack_channel_link_is_not_a_person() -> None:
    assert isinstance(parse("<#C0123|north>", verb="caseload"), ParseError)


# --- /protected -----------------------------------------------------------------------------


def test_protected_alone_is_the_askers_status() -> None:
    assert command("protected") == Command(verb="protected", scope="mine", raw="protected")


def test_protected_person() -> None:
    result = command("<@U0123ABC|jane>", verb="protected")
    assert (result.scope, result.person) == ("person", PersonRef("slack_user", "U0123ABC"))


def test_protected_team_without_name_is_every_team_in_scope() -> None:
    result = command("Team", verb="protected")
    assert (result.scope, result.team) == ("team", None)


def test_protected_team_with_name_keeps_it() -> None:
    assert command("protected team Children in Need North").team == "Children in Need North"


def test_protected_unknown_word_is_an_error_with_protected_usage() -> None:
    result = error("breaches!", verb="protected")
    assert '"breaches!"' in result.message
    assert result.usage == usage("protected")


# --- /actions -------------------------------------------------------------------------------


def test_actions_alone_is_all_in_scope() -> None:
    assert command("", verb="actions").scope == "all"


def test_actions_mine() -> None:
    assert command("Mine", verb="actions").scope == "mine"


def test_actions_overdue() -> None:
    assert command("actions overdue").scope == "overdue"


def test_actions_overdue_rejects_extra_words() -> None:
    assert '"by team"' in error("overdue by team", verb="actions").message


def test_actions_plan_name_keeps_spaces_and_case() -> None:
    result = command("plan  Ofsted Improvement   Plan 2025", verb="actions")
    assert (result.scope, result.plan) == ("plan", "Ofsted Improvement Plan 2025")


def test_actions_plan_without_name_says_which_plan() -> None:
    assert "which plan" in error("plan", verb="actions").message


def test_actions_done_keeps_ref_and_evidence_as_typed() -> None:
    result = command("DONE A1.2 Audit of 20 files: ALL visits in time", verb="actions")
    assert (result.scope, result.ref, result.text) == (
        "done",
        "A1.2",
        "Audit of 20 files: ALL visits in time",
    )


def test_actions_done_evidence_keeps_line_breaks() -> None:
    assert command("actions done A1 first line\nsecond line").text == "first line\nsecond line"


def test_actions_done_evidence_unescapes_slack_entities() -> None:
    assert command("done A1 checks &lt;28 days &amp; signed", verb="actions").text == (
        "checks <28 days & signed"
    )


def test_actions_done_without_evidence_says_what_to_add() -> None:
    result = error("done A12", verb="actions")
    assert "evidence" in result.message
    assert '"A12"' in result.message
    assert "/actions done REF evidence text" in result.usage


def test_actions_done_without_ref_says_which_action() -> None:
    result = error("done", verb="actions")
    assert "which action" in result.message
    assert "evidence" in result.message


def test_actions_done_rejects_a_mention_as_ref() -> None:
    assert '"<@U1>"' in error("done <@U1> it is done", verb="actions").message


def test_actions_update_keeps_ref_and_note() -> None:
    result = command("actions update OF-3 Training booked for May")
    assert (result.scope, result.ref, result.text) == ("update", "OF-3", "Training booked for May")


def test_actions_update_without_note_says_what_to_add() -> None:
    result = error("update OF-3", verb="actions")
    assert "note" in result.message
    assert '"OF-3"' in result.message


def test_actions_unknown_word_is_an_error_with_actions_usage() -> None:
    result = error("close A1", verb="actions")
    assert '"close"' in result.message
    assert result.usage == usage("actions")


# --- /supervision ---------------------------------------------------------------------------


def test_supervision_alone_is_all_in_scope() -> None:
    assert command("supervision").scope == "all"


def test_supervision_log_iso_date() -> None:
    result = command("log <@U0123ABC|jane> 2026-03-02", verb="supervision")
    assert (result.scope, result.person, result.on_date) == (
        "log",
        PersonRef("slack_user", "U0123ABC"),
        date(2026, 3, 2),
    )


def test_supervision_log_accepts_uk_date() -> None:
    assert command("supervision LOG SW0042 02/03/2026").on_date == date(2026, 3, 2)


def test_supervision_log_teams_mention_with_spaces() -> None:
    result = command("<at>Caseload Bot</at> supervision log <at>Jane Smith</at> 2026-03-02")
    assert result.person == PersonRef("teams_user", "Jane Smith")
    assert result.on_date == date(2026, 3, 2)


def test_supervision_log_rejects_impossible_date() -> None:
    result = error("log SW0042 2026-02-30", verb="supervision")
    assert '"2026-02-30"' in result.message
    assert "/supervision log @person YYYY-MM-DD" in result.usage


def test_supervision_log_rejects_impossible_uk_date() -> None:
    assert '"31/04/2026"' in error("log SW0042 31/04/2026", verb="supervision").message


def test_supervision_log_rejects_something_that_is_not_a_date() -> None:
    result = error("log SW0042 yesterday", verb="supervision")
    assert '"yesterday"' in result.message
    assert "YYYY-MM-DD" in result.message


def test_supervision_log_without_date_asks_for_it() -> None:
    result = error("log SW0042", verb="supervision")
    assert "date" in result.message


def test_supervision_log_without_person_asks_whose() -> None:
    result = error("log 2026-03-02", verb="supervision")
    assert "whose" in result.message
    assert '"2026-03-02"' in result.message


def test_supervision_log_alone_asks_who_and_when() -> None:
    assert "whose" in error("log", verb="supervision").message


def test_supervision_log_rejects_a_word_that_is_not_a_person() -> None:
    assert '"#jane"' in error("log #jane 2026-03-02", verb="supervision").message


def test_supervision_log_takes_a_plain_name_before_the_date() -> None:
    logged = command("supervision log Imran Murphy 2026-03-02")
    assert (logged.person, logged.on_date) == (PersonRef("name", "Imran Murphy"),
                                              date(2026, 3, 2))


def test_supervision_log_rejects_extra_words() -> None:
    assert '"please"' in error("log SW0042 2026-03-02 please", verb="supervision").message


def test_supervision_unknown_word_is_an_error_with_supervision_usage() -> None:
    result = error("overdue", verb="supervision")
    assert '"overdue"' in result.message
    assert result.usage == usage("supervision")


# --- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["help", "HELP", "/help", "<at>Caseload Bot</at> help"])
def test_help_alone_is_help_for_everything(typed: str) -> None:
    result = command(typed)
    assert (result.verb, result.scope) == ("help", "all")


def test_help_with_a_verb_is_help_for_that_verb() -> None:
    result = command("help caseload")
    assert (result.verb, result.scope) == ("help", "caseload")


@pytest.mark.parametrize("verb", ["protected", "actions", "supervision"])
def test_verb_help_is_help_for_that_verb(verb: str) -> None:
    assert command(f"/{verb} help") == Command(verb="help", scope=verb, raw=f"/{verb} help")


def test_help_for_an_unknown_verb_is_an_error_quoting_it() -> None:
    result = error("help cases")
    assert '"cases"' in result.message
    assert result.verb == "help"


def test_slack_slash_help_is_help_for_everything() -> None:
    assert command("", verb="/help").scope == "all"


# --- Help text and error usage agree --------------------------------------------------------


def test_help_covers_every_verb() -> None:
    assert set(HELP_TEXT) == set(VERBS)


@pytest.mark.parametrize(
    "form",
    [
        "/caseload",
        "/caseload @person",
        "/caseload team NAME",
        "/caseload unallocated",
        "/caseload overdue",
        "/caseload capacity [cp|cin|lac]",
        "/caseload help",
        "/protected",
        "/protected @person",
        "/protected team [NAME]",
        "/actions",
        "/actions mine",
        "/actions overdue",
        "/actions plan NAME",
        "/actions done REF evidence text",
        "/actions update REF note",
        "/supervision",
        "/supervision log @person YYYY-MM-DD",
        "help",
    ],
)
def test_help_lists_every_form_in_the_spec(form: str) -> None:
    assert form in [line for line, _ in help_lines(None)]


def test_help_lines_for_all_is_every_verb() -> None:
    assert help_lines("all") == help_lines(None)
    assert len(help_lines("all")) == sum(len(lines) for lines in HELP_TEXT.values())


def test_help_lines_for_a_verb_accepts_its_slash() -> None:
    assert help_lines("/Actions") == HELP_TEXT["actions"]


def test_usage_is_the_help_forms_one_a_line() -> None:
    assert usage("supervision") == "/supervision\n/supervision log @person YYYY-MM-DD"


def test_every_help_line_says_what_it_does() -> None:
    assert all(form and what for form, what in help_lines(None))


# --- Whatever arrives, parse answers --------------------------------------------------------


def test_over_long_input_is_a_clear_error() -> None:
    result = error("done A1 " + "x" * MAX_INPUT_CHARS, verb="actions")
    assert f"{MAX_INPUT_CHARS:,}" in result.message
    assert result.verb == "actions"


def test_over_long_message_still_names_its_verb() -> None:
    assert error("/actions done A1 " + "x" * MAX_INPUT_CHARS).verb == "actions"


def test_error_quotes_are_short_for_a_huge_word() -> None:
    assert len(error("x" * 1_500, verb="caseload").message) < 300


@pytest.mark.parametrize(
    "awkward",
    [
        "\x00",
        "caseload \x00team\x07 North",
        "<",
        ">",
        "<<<>>>",
        "caseload <at>",
        "caseload </at>",
        "<at></at> caseload <at></at>",
        "supervision log <@> 2026-13-01",
        "supervision log SW1 0000-01-01",
        "actions done &#0; x",
        "actions done &#32; x",
        "caseload team &#32;",
        "caseload <mailto:|>",
        "caseload <mailto:not-an-email>",
        "\u200b\ufeff",
        "caseload 👩‍👧 ∑ 日本",
        "/" * 10,
        "@",
        "@@",
    ],
)
def test_awkward_input_gets_an_answer_not_an_exception(awkward: str) -> None:
    assert isinstance(parse(awkward), Command | ParseError)


def test_nul_inside_team_name_becomes_a_space() -> None:
    assert command("caseload team North\x00East").team == "North East"


@settings(max_examples=500)
@given(st.text())
def test_parse_never_raises_for_any_text(text: str) -> None:
    assert isinstance(parse(text), Command | ParseError)


@settings(max_examples=200)
@given(st.sampled_from(VERBS), st.text())
def test_parse_never_raises_for_any_text_after_a_verb(verb: str, rest: str) -> None:
    assert isinstance(parse(f"{verb} {rest}"), Command | ParseError)
    assert isinstance(parse(rest, verb=verb), Command | ParseError)


@settings(max_examples=200)
@given(
    st.sampled_from(VERBS),
    st.sampled_from(["", "team", "log", "done", "update", "plan", "capacity", "help"]),
    st.text(alphabet=st.sampled_from(list("<>@|/&;#:at \n-0123456789")) | st.characters()),
)
def test_parse_never_raises_for_markup_like_text_after_a_keyword(
    verb: str, keyword: str, rest: str
) -> None:
    assert isinstance(parse(f"{keyword} {rest}", verb=verb), Command | ParseError)


@given(st.text())
def test_parse_never_raises_for_any_verb_argument(verb: str) -> None:
    assert isinstance(parse("team North", verb=verb), Command | ParseError)


@given(st.text(max_size=3 * MAX_INPUT_CHARS))
def test_commands_always_carry_a_known_verb(text: str) -> None:
    result = parse(text)
    if isinstance(result, Command):
        assert result.verb in VERBS
    else:
        assert result.message and result.usage
