from apps.routing.clauses import MAX_CLAUSES, leading_clauses


def test_a_request_is_cut_before_the_context_said_after_it():
    assert leading_clauses("open an issue in flowplane about the login bug") == [
        "open an issue",
        "open an issue in flowplane",
    ]
    assert leading_clauses("send the report, then archive it") == ["send the report"]


def test_the_first_words_are_never_a_clause_of_their_own():
    # "to" right after one word is part of the request ("go to ..."), not context.
    assert leading_clauses("add to my calendar a meeting") == []
    assert leading_clauses("Create Group") == []
    assert leading_clauses("") == []


def test_at_most_a_few_clauses_are_encoded():
    query = "list files in a folder of a drive for a user with a label from a team"
    clauses = leading_clauses(query)
    assert len(clauses) == MAX_CLAUSES
    assert clauses[0] == "list files" and query not in clauses
