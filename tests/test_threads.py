"""Thread assembly, without a database."""

from dataclasses import dataclass

from debate.reading.threads import assemble


@dataclass
class Node:
    pk: int
    in_reply_to_id: int | None
    at: int


def shape(items):
    return [(i.node.pk, i.depth) for i in items]


def markup(items) -> str:
    """Render as the template does, to check the nesting balances."""
    out = []
    for item in items:
        out.append(f"<li>{item.node.pk}")
        out.append("<ol>" if item.has_children else "</li>")
        out.extend("</ol></li>" for _ in item.closes)
    return "".join(out)


def test_replies_nest_under_what_they_answer_in_conversation_order():
    nodes = [
        Node(5, 4, 4), Node(2, None, 1), Node(3, 2, 2), Node(4, 3, 3),
        Node(1, None, 10), Node(6, None, 11),
    ]  # fmt: skip
    items = assemble(nodes, sort_key=lambda n: n.at)
    assert shape(items) == [(2, 0), (3, 1), (4, 2), (5, 3), (1, 0), (6, 0)]
    assert [i.size for i in items] == [4, 3, 2, 1, 1, 1]
    assert markup(items) == (
        "<li>2<ol><li>3<ol><li>4<ol><li>5</li></ol></li></ol></li></ol></li><li>1</li><li>6</li>"
    )


def test_siblings_read_oldest_first_even_when_roots_are_newest_first():
    nodes = [Node(1, None, 1), Node(2, 1, 5), Node(3, 1, 2), Node(4, None, 9)]
    items = assemble(nodes, sort_key=lambda n: n.at, newest_first=True)
    assert shape(items) == [(4, 0), (1, 0), (3, 1), (2, 1)]
    assert markup(items).count("<ol>") == markup(items).count("</ol>")


def test_a_reply_whose_parent_is_absent_stands_alone():
    items = assemble([Node(7, 99, 1)], sort_key=lambda n: n.at)
    assert shape(items) == [(7, 0)]
    assert not items[0].parent_shown


def test_a_cycle_in_bad_data_neither_hangs_nor_loses_posts():
    nodes = [Node(1, 2, 1), Node(2, 1, 2), Node(3, None, 0)]
    items = assemble(nodes, sort_key=lambda n: n.at)
    assert sorted(i.node.pk for i in items) == [1, 2, 3]


def test_a_very_deep_thread_needs_no_recursion():
    depth = 5000
    nodes = [Node(0, None, 0)] + [Node(i, i - 1, i) for i in range(1, depth)]
    items = assemble(nodes, sort_key=lambda n: n.at)
    assert items[-1].depth == depth - 1
    assert items[0].size == depth
    assert len(items[-1].closes) == depth - 1


def test_thread_roots_follow_reply_chains_of_any_depth_and_survive_cycles():
    from debate.models.selection import thread_roots

    chain = {n: (n - 1 if n > 1 else None) for n in range(1, 2001)}  # 2,000 deep
    assert set(thread_roots(chain).values()) == {1}
    assert thread_roots({5: 9, 6: 5}, known={9: 2}) == {5: 2, 6: 2}  # parent outside: its root
    cycle = thread_roots({1: 2, 2: 1, 3: 2})
    assert cycle[1] == cycle[2] == cycle[3] and cycle[1] in {1, 2}
