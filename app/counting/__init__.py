"""Counting a finished quiz or myth round, in one home: what it counts (items), where and at
which level (scopes), the coin (randomized_response, exact, from `secrets`), the start token
that makes it count once, and the one transaction that spends the token and writes the
randomized values (finish). The true answers never get further than this package."""
