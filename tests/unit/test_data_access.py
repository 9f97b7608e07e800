"""The data-access budget, counted rather than timed: a request reads as many items from a small table
as from a ten-times larger one (`make bench` measures up to 100k items)."""

from tests.data_access import items_read_per_request


def test_items_read_per_request_do_not_grow_with_the_table() -> None:
    small = items_read_per_request(total_items=100)
    large = items_read_per_request(total_items=1000)
    lab = "lab: Scan-based list"
    assert {"get", "list (first page of 20)"} <= set(small)
    # feature: contest
    assert "contest entry" in small
    # end feature: contest
    # feature: workflow
    assert "duplicate check (workflow)" in small
    # end feature: workflow

    assert {name: count for name, count in small.items() if name != lab} == {
        name: count for name, count in large.items() if name != lab
    }
    assert small["list (first page of 20)"] == 21  # the page and one item to know more follow
    assert small["get"] == 1
    assert large[lab] - small[lab] == 900  # every item of the table, what the budget guards against
