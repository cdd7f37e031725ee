"""The semantic router: hierarchical (connector, then tool), hybrid (dense + lexical) scoring.

Plain Python + numpy, no Django: the Django side (services.py) builds a ``RouteIndex`` from
the catalogue and route maps with persisted vectors, and hands it to ``Router``.

Per query: one encode, one matrix product with every utterance vector, one BM25 pass. Each
route gets these features, and the fused score is their weighted sum (weights fitted from
labelled examples, params.py):

- ``dense_max`` / ``dense_mean``: best and mean cosine over the route's utterances
  (aggregation: one good paraphrase counts, and so does agreement of all of them);
- ``lex_rel`` / ``lex_abs``: BM25 over the route's text, relative to the best route, and
  relative to the query's own IDF mass (how much of the query it explains);
- ``conn_context``: mean of the connector's three best ``dense_max`` (the query is about
  this API's domain), ``conn_lex``: BM25 over the whole connector's text, ``conn_dense``:
  cosine to the connector's name, description and utterances;
- ``action``: +1 when the query's verb class (create/read/update/delete) matches the route's
  (from its HTTP method or utterances' verbs), -1 when it contradicts it, 0 when unknown;
- ``cardinality``: +1 when the query asks for one thing or many as the operation acts on one
  or many ("get an issue event" and ``issues/get-event``), -1 when not, 0 when unknown
  (cardinality.py);
- ``ws_connected`` / ``ws_used``: the asking workspace's prior (prior.py), when one is given:
  the route's connector has a working credential there / its workflows call the operation.

Hierarchical decision: the connector is chosen first (its score is its best route's), then
the tool inside it; each step has a calibrated probability from its best score and margin,
and the answer's confidence is the minimum of the two. The tool step is also capped by a
soft floor on absolute evidence (the larger of the best cosine and the share of the query's
keywords the route explains), because margins look large in a small route map even for a
query no route is about. The floor sits at 0.35 (MiniLM cosines below ~0.3 are unrelated
text), so it refuses the unrelated and costs the related almost nothing; the same with a
workspace prior (a floor fitted per regime on the labelled sets does not go lower: README.md).
When only the floor holds an answer back, the query's leading clauses (clauses.py) are
encoded too and their best cosine to the chosen route counts as evidence: a request padded
with context ("... in flowplane about the login bug") is judged by what it asks for.
Below the threshold (the route's, else its connector's, else the global one fitted in
params.py: one without a workspace prior, another with one) the router falls back to an LLM
when one is configured, and otherwise answers "no route" with its best candidates instead of
guessing.
If the encoder fails (an embeddings API is down), scoring falls back to the lexical channel.

One module, past the ~400-line guideline on purpose: the index, the features and the
two-step decision are one scoring model whose parts are fitted and tuned together (params.py).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from apps.routing.cardinality import query_cardinality, route_cardinality
from apps.routing.clauses import leading_clauses
from apps.routing.encoders.base import Encoder, EncoderError
from apps.routing.lexical import BM25
from apps.routing.params import DEFAULT_PARAMS, FEATURES, LEXICAL, PRIOR, TEXT, RouterParams
from apps.routing.prior import WorkspacePrior, calibration_inputs, prior_columns
from apps.routing.routes import MODIFIERS, ConnectorInfo, Route

__all__ = ["Alternative", "Decision", "RouteIndex", "Router", "action_class"]

logger = logging.getLogger("apps.routing.router")

_ACTIONS = {
    "c": "create add post insert new register upload send make submit generate invite book "
    "schedule open publish place",
    "u": "update modify edit change patch replace set rename enable disable move assign "
    "mark reschedule",
    "d": "delete remove destroy cancel unregister revoke erase purge clear drop archive",
    "r": "get retrieve fetch list show return view read find search query lookup describe "
    "check download count obtain display see look",
}
ACTION_OF = {word: cls for cls, words in _ACTIONS.items() for word in words.split()}
# "put": in a route's text it is the HTTP method (update); in what a person types, "put a
# meeting on my calendar" adds something.
ROUTE_ACTION_OF = {**ACTION_OF, "put": "u"}
QUERY_ACTION_OF = {**ACTION_OF, "put": "c"}
METHOD_ACTION = {"GET": "r", "HEAD": "r", "POST": "c", "PUT": "u", "PATCH": "u", "DELETE": "d"}
_LETTERS = re.compile(r"[a-z]+")
_QUESTION_WORDS = frozenset(
    ("what", "which", "when", "where", "who", "whose", "how", "is", "are", "do", "does", "any")
)


def action_class(text: str, *, query: bool = True) -> str | None:
    """The create/read/update/delete class of the first verb among the first three words."""
    table = QUERY_ACTION_OF if query else ROUTE_ACTION_OF
    words = _LETTERS.findall(text.lower())
    for word in words[:3]:
        for form in (
            word,
            word[:-1] if word.endswith("s") else "",
            word[:-2] if word.endswith("es") else "",
            word[:-3] + "y" if word.endswith("ies") else "",
        ):
            if form in table:  # "creates", "patches", "modifies"
                return table[form]
    if query and words and words[0] in _QUESTION_WORDS:
        return "r"  # "what meetings do I have", "which pull requests are open": questions read
    return None


@dataclass(frozen=True)
class Alternative:
    route: str
    connector: str
    operation: str
    score: float
    similarity: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "connector": self.connector,
            "operation": self.operation,
            "score": round(self.score, 4),
            "similarity": round(self.similarity, 4),
        }


@dataclass
class Decision:
    route: str | None
    connector: str | None
    operation: str | None
    confidence: float
    alternatives: list[Alternative]
    reasoning: str
    decided_by: str  # "router" | "llm" | "none"
    threshold: float
    connector_confidence: float = 0.0
    tool_confidence: float = 0.0
    modifier: str | None = None
    arguments: dict[str, Any] = field(default_factory=dict)
    elapsed_ms: float = 0.0
    best: Alternative | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "connector": self.connector,
            "operation": self.operation,
            "confidence": round(self.confidence, 4),
            "connector_confidence": round(self.connector_confidence, 4),
            "tool_confidence": round(self.tool_confidence, 4),
            "threshold": self.threshold,
            "alternatives": [a.as_dict() for a in self.alternatives],
            "reasoning": self.reasoning,
            "decided_by": self.decided_by,
            "modifier": self.modifier,
            "arguments": self.arguments,
            "elapsed_ms": round(self.elapsed_ms, 3),
        }


class RouteIndex:
    """Routes, connectors and their vectors laid out for one-matrix-product scoring.

    Routes are sorted by connector so that per-connector aggregates are segment reductions;
    utterances are sorted by route for the same reason.
    """

    def __init__(
        self,
        routes: Sequence[Route],
        connectors: Sequence[ConnectorInfo],
        vectors: Callable[[Sequence[str]], np.ndarray],
        *,
        methods: dict[str, str] | None = None,
    ) -> None:
        infos = {c.slug: c for c in connectors}
        ordered = sorted(routes, key=lambda r: (r.connector, r.name))
        self.routes: list[Route] = [r for r in ordered if r.utterances]
        slugs = sorted({r.connector for r in self.routes})
        self.connectors = [infos.get(s) or ConnectorInfo(slug=s) for s in slugs]
        self.connector_pos = {s: i for i, s in enumerate(slugs)}
        self.route_pos = {r.id: i for i, r in enumerate(self.routes)}
        self.route_by_tool = {(r.connector, r.tool): i for i, r in enumerate(self.routes)}
        self.route_connector = np.array(
            [self.connector_pos[r.connector] for r in self.routes], dtype=np.int64
        )
        counts = (
            np.bincount(self.route_connector, minlength=len(slugs))
            if slugs
            else np.zeros(0, dtype=np.int64)
        )
        self.connector_starts = (
            np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)
            if slugs
            else np.zeros(0, dtype=np.int64)
        )
        self.connector_sizes = counts

        texts: list[str] = []
        owner: list[int] = []
        for i, route in enumerate(self.routes):
            for text in route.utterances:
                texts.append(text)
                owner.append(i)
        self.utterances = texts
        self.utterance_owner = np.array(owner, dtype=np.int64)
        self.route_starts = (
            np.r_[0, np.flatnonzero(np.diff(self.utterance_owner)) + 1].astype(np.int64)
            if owner
            else np.zeros(0, dtype=np.int64)
        )
        self.route_sizes = np.diff(np.r_[self.route_starts, len(owner)]).astype(np.float32)

        conn_texts: list[str] = []
        conn_owner: list[int] = []
        for i, info in enumerate(self.connectors):
            for text in info.texts() or (info.slug,):
                conn_texts.append(text)
                conn_owner.append(i)
        self.connector_owner = np.array(conn_owner, dtype=np.int64)
        self.connector_text_starts = (
            np.r_[0, np.flatnonzero(np.diff(self.connector_owner)) + 1].astype(np.int64)
            if conn_owner
            else np.zeros(0, dtype=np.int64)
        )
        all_vectors = (
            vectors([*texts, *conn_texts])
            if (texts or conn_texts)
            else np.zeros((0, 0), dtype=np.float32)
        )
        self.utterance_vectors = np.ascontiguousarray(all_vectors[: len(texts)])
        self.connector_vectors = np.ascontiguousarray(all_vectors[len(texts) :])

        route_docs = [" ".join((r.name, r.tool, r.description, *r.utterances)) for r in self.routes]
        self.route_docs = route_docs
        self.bm25 = BM25(route_docs)
        conn_docs = [" ".join(info.texts()) for info in self.connectors]
        for i, doc in enumerate(route_docs):
            conn_docs[self.route_connector[i]] += " " + doc
        self.connector_bm25 = BM25(conn_docs)

        methods = methods or {}
        actions = np.zeros((len(self.routes), 4), dtype=np.float32)  # c r u d
        for i, route in enumerate(self.routes):
            found = set()
            method = methods.get(route.id)
            if method in METHOD_ACTION:
                found.add(METHOD_ACTION[method])
            else:
                for text in (route.name, route.tool, *route.utterances):
                    cls = action_class(_split_identifier(text), query=False)
                    if cls:
                        found.add(cls)
            for cls in found:
                actions[i, "crud".index(cls)] = 1.0
        self.route_actions = actions
        self.route_has_action = actions.any(1)
        self.route_cardinality = np.array(
            [route_cardinality(r.tool or r.name) for r in self.routes], dtype=np.float32
        )

    def __len__(self) -> int:
        return len(self.routes)


def margin_of(scores: np.ndarray, best: int) -> float:
    """Best minus runner-up; 1.0 when there is no runner-up (as in fitting)."""
    if len(scores) < 2:
        return 1.0
    return float(scores[best] - np.partition(scores, -2)[-2])


def _split_identifier(text: str) -> str:
    return re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text).replace("_", " ").replace(".", " ")


class Router:
    """Routes one query at a time; thread-safe (read-only after construction)."""

    def __init__(
        self,
        index: RouteIndex,
        encoder: Encoder,
        params: RouterParams | None = None,
        *,
        llm: Any = None,
    ) -> None:
        self.index = index
        self.encoder = encoder
        self.params = params or DEFAULT_PARAMS
        self.weights = self.params.weight_vector()
        self.llm = llm
        # Prior columns per workspace prior: a workspace asks many times with the same one.
        self._prior_cache: dict[WorkspacePrior, np.ndarray] = {}

    # --- scoring -------------------------------------------------------------------------

    def prior_columns(self, prior: WorkspacePrior | None) -> np.ndarray:
        if not prior:
            return prior_columns(self.index, None)
        cached = self._prior_cache.get(prior)
        if cached is None:
            if len(self._prior_cache) >= 256:
                self._prior_cache.clear()
            cached = self._prior_cache[prior] = prior_columns(self.index, prior)
        return cached

    def features(
        self,
        query: str,
        *,
        vector: np.ndarray | None = None,
        prior: WorkspacePrior | None = None,
    ) -> tuple[np.ndarray, np.ndarray, bool]:
        """(features[n_routes, n_features], utterance sims, dense_ok)."""
        idx = self.index
        n = len(idx)
        feats = np.zeros((n, len(FEATURES)), dtype=np.float32)
        sims = np.zeros(len(idx.utterances), dtype=np.float32)
        dense_ok = True
        if vector is None:
            try:
                vector = self.encoder.encode([query])[0]
            except EncoderError as exc:
                logger.warning("routing.encoder_failed", extra={"error": str(exc)})
                dense_ok = False
        if dense_ok and n:
            sims = idx.utterance_vectors @ vector
            feats[:, 0] = np.maximum.reduceat(sims, idx.route_starts)
            feats[:, 1] = np.add.reduceat(sims, idx.route_starts) / idx.route_sizes
            conn_sims = idx.connector_vectors @ vector
            feats[:, 6] = np.maximum.reduceat(conn_sims, idx.connector_text_starts)[
                idx.route_connector
            ]
            feats[:, 4] = self._connector_context(feats[:, 0])[idx.route_connector]
        if n:
            lexical = idx.bm25.scores(query)
            best = float(lexical.max()) if n else 0.0
            if best > 0:
                feats[:, 2] = lexical / best
                feats[:, 3] = lexical / max(idx.bm25.query_weight(query) * 2.2, 1e-9)
            conn_lex = idx.connector_bm25.scores(query)
            top = float(conn_lex.max()) if len(conn_lex) else 0.0
            if top > 0:
                feats[:, 5] = (conn_lex / top)[idx.route_connector]
            cls = action_class(query)
            if cls is not None:
                match = idx.route_actions[:, "crud".index(cls)]
                feats[:, 7] = np.where(idx.route_has_action, match * 2.0 - 1.0, 0.0)
            feats[:, 8] = query_cardinality(query) * idx.route_cardinality
            if prior:
                feats[:, PRIOR] = self.prior_columns(prior)
        return feats, sims, dense_ok

    def _connector_context(self, dense_max: np.ndarray, k: int = 3) -> np.ndarray:
        """Mean of each connector's ``k`` best ``dense_max`` (one sort on a composite key)."""
        idx = self.index
        # Connector number dominates (values lie in [-1, 1]), then the score, descending.
        order = np.argsort(idx.route_connector * 4.0 - dense_max, kind="quicksort")
        ranked = dense_max[order]
        total = np.zeros(len(idx.connectors), dtype=np.float32)
        taken = np.minimum(idx.connector_sizes, k)
        for j in range(k):
            has = idx.connector_sizes > j
            total[has] += ranked[idx.connector_starts[has] + j]
        return total / np.maximum(taken, 1)

    def scores(
        self,
        query: str,
        *,
        vector: np.ndarray | None = None,
        prior: WorkspacePrior | None = None,
    ) -> np.ndarray:
        feats, _, _ = self.features(query, vector=vector, prior=prior)
        return feats @ self.weights

    # --- deciding ------------------------------------------------------------------------

    def threshold_for(self, route: Route, prior: WorkspacePrior | None = None) -> float:
        """The route's threshold, else its connector's, else the global one for ``prior``."""
        if route.threshold is not None:
            return float(route.threshold)
        fitted = self.params.route_thresholds.get(route.id)
        if fitted is not None:
            return fitted
        info = self.index.connectors[self.index.connector_pos[route.connector]]
        if info.threshold is not None:
            return float(info.threshold)
        # An empty prior is no evidence (prior.py scores it as none), so it counts as none.
        return self.params.global_threshold(workspace=bool(prior))

    def route(
        self,
        query: str,
        *,
        top_k: int = 5,
        connector: str | None = None,
        use_llm: bool = True,
        vector: np.ndarray | None = None,
        prior: WorkspacePrior | None = None,
    ) -> Decision:
        """``prior``: the asking workspace's connectors and operations (prior.py), if known."""
        started = time.perf_counter()
        query = " ".join(str(query).split())
        idx = self.index
        if not len(idx) or not query:
            return Decision(
                None,
                None,
                None,
                0.0,
                [],
                "No routes are loaded." if query else "The query is empty.",
                "none",
                self.params.global_threshold(workspace=bool(prior)),
                elapsed_ms=(time.perf_counter() - started) * 1000,
            )
        feats, sims, dense_ok = self.features(query, vector=vector, prior=prior)
        w = self.weights
        fused = feats @ w
        if not dense_ok:  # lexical fallback: the dense columns are zero, rescale the text part
            text = feats[:, TEXT] @ w[TEXT]
            fused = fused - text + text * (w[TEXT].sum() / max(w[list(LEXICAL)].sum(), 1e-9))

        if connector is not None:
            pos = idx.connector_pos.get(connector)
            if pos is None:
                return Decision(
                    None,
                    None,
                    None,
                    0.0,
                    [],
                    f"No routes for connector {connector!r}.",
                    "none",
                    self.params.global_threshold(workspace=bool(prior)),
                    elapsed_ms=(time.perf_counter() - started) * 1000,
                )
            start, size = idx.connector_starts[pos], idx.connector_sizes[pos]
            candidates = np.arange(start, start + size)
            conn_conf = 1.0
            chosen_conn = pos
        else:
            conn_scores = np.maximum.reduceat(fused, idx.connector_starts)
            chosen_conn = int(np.argmax(conn_scores))
            conn_conf = -1.0  # calibrated below, once the chosen route is known
            candidates = np.arange(len(idx))

        start, size = idx.connector_starts[chosen_conn], idx.connector_sizes[chosen_conn]
        inside = fused[start : start + size]
        best_local = int(np.argmax(inside))
        best = int(start + best_local)
        conn_extra, tool_extra = calibration_inputs(prior, feats[:, PRIOR], best)
        if conn_conf < 0:
            margin = margin_of(conn_scores, chosen_conn)
            conn_conf = self.params.connector_calibration(
                float(conn_scores[chosen_conn]), margin, *conn_extra
            )
        tool_margin = margin_of(inside, best_local)
        tool_conf = self.params.tool_calibration(
            float(inside[best_local]), tool_margin, *tool_extra
        )
        relevance_of = self.params.relevance_calibration
        relevance = relevance_of(float(max(feats[best, 0], feats[best, 3])))
        clause: tuple[float, str] | None = None
        if dense_ok and relevance < min(conn_conf, tool_conf):
            # Only the floor holds it back: a request padded with context may still be
            # plainly about the route (clauses.py).
            clause = self.clause_evidence(query, best)
            if clause is not None:
                relevance = max(relevance, relevance_of(clause[0]))
        confidence = min(conn_conf, tool_conf, relevance)

        k = max(1, min(int(top_k), 50))
        pool = fused[candidates]
        if len(pool) > k + 1:
            head = np.argpartition(-pool, k)[: k + 1]
            top = candidates[head[np.argsort(-pool[head], kind="stable")]]
        else:
            top = candidates[np.argsort(-pool, kind="stable")]
        alternatives = [self._alternative(int(i), fused, feats) for i in top if int(i) != best]
        alternatives = alternatives[: max(k - 1, 0)]
        route = idx.routes[best]
        threshold = self.threshold_for(route, prior)
        best_alt = self._alternative(best, fused, feats)
        evidence = self._evidence(best, feats, sims, dense_ok, prior, clause)

        if confidence >= threshold:
            decision = self._answer(
                route,
                confidence,
                alternatives,
                threshold,
                "router",
                f"{route.connector}/{route.name} "
                f"({route.tool}): {evidence}; connector confidence "
                f"{conn_conf:.2f}, tool confidence {tool_conf:.2f}.",
                query,
            )
        else:
            decision = None
            if use_llm and self.llm is not None:
                decision = self._ask_llm(
                    query, [best_alt, *alternatives], confidence, alternatives, threshold
                )
            if decision is None:
                decision = Decision(
                    None,
                    None,
                    None,
                    confidence,
                    [best_alt, *alternatives][:k],
                    f"No route: the best candidate {route.connector}/{route.name} has "
                    f"confidence {confidence:.2f}, below the threshold {threshold:.2f} "
                    f"({evidence}).",
                    "none",
                    threshold,
                )
        decision.connector_confidence = conn_conf
        decision.tool_confidence = min(tool_conf, relevance)
        decision.best = best_alt
        decision.elapsed_ms = (time.perf_counter() - started) * 1000
        return decision

    def clause_evidence(self, query: str, i: int) -> tuple[float, str] | None:
        """The best cosine of route ``i``'s utterances to a leading clause of the query, and
        that clause (clauses.py); None when the query has none or the encoder fails."""
        clauses = leading_clauses(query)
        if not clauses:
            return None
        try:
            # One at a time, so a cached encoder keeps them: a workflow sends the same
            # request on every run.
            vectors = np.vstack([self.encoder.encode([clause])[0] for clause in clauses])
        except EncoderError:
            return None
        lo = int(self.index.route_starts[i])
        hi = lo + int(self.index.route_sizes[i])
        cosines = (self.index.utterance_vectors[lo:hi] @ vectors.T).max(axis=0)
        j = int(np.argmax(cosines))
        return float(cosines[j]), clauses[j]

    def _alternative(self, i: int, fused: np.ndarray, feats: np.ndarray) -> Alternative:
        route = self.index.routes[i]
        return Alternative(
            route.name, route.connector, route.tool, float(fused[i]), float(feats[i, 0])
        )

    def _evidence(
        self,
        i: int,
        feats: np.ndarray,
        sims: np.ndarray,
        dense_ok: bool,
        prior: WorkspacePrior | None = None,
        clause: tuple[float, str] | None = None,
    ) -> str:
        idx = self.index
        parts = []
        if dense_ok:
            lo = idx.route_starts[i]
            hi = lo + int(idx.route_sizes[i])
            j = lo + int(np.argmax(sims[lo:hi]))
            text = idx.utterances[j]
            shown = text if len(text) <= 60 else text[:57] + "..."
            parts.append(f"closest utterance {sims[j]:.2f} ({shown!r})")
            if clause is not None and clause[0] > sims[j]:
                parts.append(f"leading clause {clause[1]!r} {clause[0]:.2f}")
        else:
            parts.append("encoder unavailable, lexical scoring only")
        parts.append(f"keyword match {feats[i, 2]:.2f}")
        if feats[i, 7] > 0:
            parts.append("action matches")
        elif feats[i, 7] < 0:
            parts.append("action differs")
        if prior:
            connected, used = feats[i, PRIOR]
            if used > 0:
                parts.append("used in this workspace's workflows")
            if connected > 0:
                parts.append("this workspace has a credential for it")
            else:
                parts.append("this workspace has no credential for it")
        return ", ".join(parts)

    def _answer(
        self,
        route: Route,
        confidence: float,
        alternatives: list[Alternative],
        threshold: float,
        decided_by: str,
        reasoning: str,
        query: str,
    ) -> Decision:
        arguments: dict[str, Any] = {}
        if route.modifier and route.modifier in MODIFIERS:
            arguments = MODIFIERS[route.modifier](query)
        return Decision(
            route.name,
            route.connector,
            route.tool,
            confidence,
            alternatives,
            reasoning,
            decided_by,
            threshold,
            modifier=route.modifier,
            arguments=arguments,
        )

    def _ask_llm(
        self,
        query: str,
        candidates: list[Alternative],
        confidence: float,
        alternatives: list[Alternative],
        threshold: float,
    ) -> Decision | None:
        from apps.routing.llm import LLMError, choose_route

        routes = []
        for alt in candidates[:8]:
            route = self.index.routes[self.index.route_pos[f"{alt.connector}/{alt.route}"]]
            routes.append(route)
        try:
            picked, reason = choose_route(self.llm, query, routes)
        except LLMError as exc:
            logger.warning("routing.llm_fallback_failed", extra={"error": str(exc)})
            return None
        if picked is None:
            return Decision(
                None,
                None,
                None,
                confidence,
                candidates[: len(alternatives) + 1],
                f"No route: confidence {confidence:.2f} is below the threshold "
                f"{threshold:.2f} and the LLM fallback chose none ({reason}).",
                "llm",
                threshold,
            )
        rest = [a for a in candidates if f"{a.connector}/{a.route}" != picked.id]
        return self._answer(
            picked,
            confidence,
            rest[: len(alternatives)],
            threshold,
            "llm",
            f"{picked.connector}/{picked.name} ({picked.tool}) chosen by the "
            f"LLM fallback because router confidence {confidence:.2f} was below "
            f"{threshold:.2f}: {reason}",
            query,
        )
