"""'Where else has this text appeared?': look a text up in a store's index.

The text is cleaned and fingerprinted like any document, its LSH band keys are looked up
in the store's key index (``key_index``) and its embedding is compared with every stored document's;
each candidate is then compared exactly and aligned to show the shared passages.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, replace

from storytrace import engine
from storytrace.candidates import band_keys, lexical_candidates, lsh_params, semantic_candidates
from storytrace.codec import Row
from storytrace.config import Config
from storytrace.embed import Encoder
from storytrace.errors import InputError
from storytrace.key_index import KeyIndex
from storytrace.records import Document
from storytrace.store import Store
from storytrace.text import content_id

QUERY_ID = "\x00query"
_RANK = {
    "duplicate": 0,
    "near_duplicate": 1,
    "partial_reuse": 2,
    "translation": 3,
    "rewrite": 4,
    "same_story": 5,
}


@dataclass(frozen=True, slots=True)
class QueryHit:
    id: str
    source: str | None
    url: str | None
    relation: str
    jaccard: float
    containment_query: float
    semantic: float
    coverage_query: float
    passages: tuple[str, ...]

    def as_dict(self) -> Row:
        return asdict(self)


def query_store(
    db_path: str | os.PathLike[str], text: str, *, top: int = 10, encoder: Encoder | None = None
) -> list[QueryHit]:
    """Stored documents related to ``text``, best first, with the passages they share."""
    if not text.strip():
        raise InputError("the query text is empty")
    doc = Document(id=QUERY_ID, doc_id=content_id(text), text=text, input="query")
    return query_document(db_path, doc, top=top, encoder=encoder)


def query_file(
    db_path: str | os.PathLike[str],
    path: str | os.PathLike[str],
    *,
    top: int = 10,
    encoder: Encoder | None = None,
) -> list[QueryHit]:
    """Stored documents related to the document in the file at ``path``, read the way
    ``analyze`` reads it (an HTML page by its main text, a PDF by its text layer, any
    encoding or compression). ``InputError`` when the path is missing, cannot be read, or
    holds other than one document (a JSONL dump, a WARC crawl, a directory)."""
    from storytrace.ingest import read_inputs

    if not os.path.lexists(path):
        raise InputError(
            f"{os.fspath(path)}: no such file (to look up the words themselves, add --text)"
        )
    docs: list[Document] = []
    for record in read_inputs([path]):
        if not isinstance(record, Document):
            raise InputError(f"{record.input}: {record.reason}")
        docs.append(record)
        if len(docs) > 1:
            break
    if len(docs) != 1:
        raise InputError(
            f"{os.fspath(path)}: holds more than one document; query one at a time "
            "(or analyze them all)"
            if docs
            else f"{os.fspath(path)}: holds no document"
        )
    return query_document(db_path, replace(docs[0], id=QUERY_ID), top=top, encoder=encoder)


def query_document(
    db_path: str | os.PathLike[str],
    doc: Document,
    *,
    top: int = 10,
    encoder: Encoder | None = None,
) -> list[QueryHit]:
    """Stored documents related to ``doc`` (its id is taken as the query's), best first,
    with the passages they share; ``doc`` is cleaned as ``analyze`` cleans it (an HTML page's
    furniture dropped by its metadata, a PDF's lines reflowed)."""
    doc = replace(doc, id=QUERY_ID)
    with Store(db_path) as store:
        config = store.config() or Config()
        cleaned, sig = engine.index([doc], config, encoder)[0]
        keys = band_keys(sig.minhash[None, :], lsh_params(config.lsh_threshold, config.num_perm))
        lexical = lexical_candidates([QUERY_ID], keys, KeyIndex.for_store(store).hits(keys))
        semantic: dict[tuple[str, str], float] = {}
        ids, vecs = store.embeddings() if sig.embedding is not None else ([], None)
        if vecs is not None and vecs.size and sig.embedding is not None:
            semantic = semantic_candidates(
                [QUERY_ID],
                sig.embedding[None, :],
                ids,
                vecs,
                max(top, config.semantic_neighbours),
                engine.semantic_floor(config),
                {**store.languages(), QUERY_ID: cleaned.lang},
            )
        others = sorted(
            {b if a == QUERY_ID else a for a, b in set(lexical) | set(semantic)} - {QUERY_ID}
        )
        if not others:
            return []
        docs = {d.id: d for d in store.documents(others)}
        cleans, sigs = store.clean_docs(others), store.signatures(others)
        hits: list[QueryHit] = []
        for other, found in engine.related(cleaned, sig, cleans, sigs, config).items():
            m = found.match
            passages = tuple(
                " ".join(docs[other].text[p.a.start : p.a.end].split())[:300]
                for p in found.alignment.passages
            )
            hits.append(
                QueryHit(
                    other,
                    docs[other].source,
                    docs[other].url,
                    m.relation,
                    m.jaccard,
                    m.containment_ab,
                    m.semantic,
                    m.coverage_ab,
                    passages,
                )
            )
    hits.sort(key=lambda h: (_RANK.get(h.relation, 9), -h.jaccard, -h.semantic))
    return hits[:top]
