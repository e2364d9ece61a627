"""Generated readable-ish text: small books for tests, different for every seed."""

import random

WORDS = ("the sea was grey and the ship ran before the wind while the captain "
         "watched the sails and the crew sang of home and harbour and the long "
         "road north under a cold moon").split()


def make_text(n_bytes: int, seed: int = 0) -> str:
    """Readable-ish English of about ``n_bytes``, different for every seed."""
    rng = random.Random(seed)
    out, size = [], 0
    while size < n_bytes:
        sentence = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 14))).capitalize() + ". "
        out.append(sentence)
        size += len(sentence)
    return "".join(out)[:n_bytes]
