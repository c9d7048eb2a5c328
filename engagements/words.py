"""Counts in French with their plural form: "1 message créé", "3 messages créés" — never
"créé(s)" (issue 13). French takes the singular for 0 and 1."""


def count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n in (0, 1) else plural}"
