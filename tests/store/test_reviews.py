from __future__ import annotations

from revu.store import Organizations, Reviews, Store
from store.fixtures import unique


async def test_reviews_are_scoped_to_their_organization(store: Store) -> None:
    async with store.session() as session:
        mine, _ = await Organizations(session).create(unique("mine"))
        theirs, _ = await Organizations(session).create(unique("theirs"))
        reviews = Reviews(session)
        first = await reviews.add(mine.id, repository="acme/app", pull_request=1)
        second = await reviews.add(
            mine.id,
            repository="acme/app",
            pull_request=2,
            status="done",
            findings=[{"path": "a.py", "line": 1, "severity": "high"}],
            usage={"calls": 2, "input_tokens": 100},
            cost_usd=0.01,
        )
        other = await reviews.add(theirs.id, repository="other/app")
    async with store.session() as session:
        reviews = Reviews(session)
        listed = await reviews.for_org(mine.id)
        assert {r.id for r in listed} == {first.id, second.id}
        assert await reviews.get(mine.id, other.id) is None
        done = await reviews.get(mine.id, second.id)
        assert done is not None and done.findings == [
            {"path": "a.py", "line": 1, "severity": "high"}
        ]
        assert done.created_at.tzinfo is not None
        assert [r.id for r in await reviews.for_org(mine.id, status="done")] == [second.id]
