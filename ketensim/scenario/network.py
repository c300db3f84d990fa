"""The traffic equations of an open queueing network, solved sparse.

``lambda = gamma + P^T lambda``: the rate at which work reaches each step is
its outside inflow plus what the other steps send on. A chain's routing
matrix holds a few routes per step, so reaching, leaving and solving are
done on sparse matrices: linear in the size of the chain, thousands of steps
in well under a second. A step that receives work but can never pass it out
of the network makes the equations singular; that is named, not solved.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import breadth_first_order
from scipy.sparse.linalg import spsolve


def solve(gamma: np.ndarray, routing: np.ndarray | sparse.spmatrix) -> np.ndarray:
    """Solve ``lambda = gamma + P^T lambda`` for an open network.

    Sparse throughout (a chain's routing matrix has a few routes per step), so
    a model of thousands of steps is checked in well under a second: reaching
    and leaving are breadth-first searches, the equations a sparse LU solve.

    Args:
        gamma: outside arrival rate per node.
        routing: ``P[i, j]``, the chance a case leaving node i goes to node j;
            row sums below 1 are the chances of leaving the network.

    Raises:
        ValueError: when some node that receives work has no way out, which
            makes the system singular (work would pile up without bound).
    """
    matrix = sparse.csr_matrix(routing, dtype=float)
    matrix.eliminate_zeros()
    n = len(gamma)
    live = _reachable(np.asarray(gamma, dtype=float), matrix)
    leave = _can_leave(matrix)
    trapped = [i for i in live if not leave[i]]
    if trapped:
        raise TrappedError(trapped)
    lam = np.zeros(n)
    if live:
        sub = matrix[live][:, live]
        system = (sparse.identity(len(live), format="csc") - sub.T).tocsc()
        lam[live] = np.atleast_1d(spsolve(system, np.asarray(gamma, dtype=float)[live]))
    return lam


class TrappedError(ValueError):
    def __init__(self, nodes: list[int]):
        self.nodes = nodes
        super().__init__(f"nodes {nodes} have no way out")


def _reachable(gamma: np.ndarray, routing: sparse.csr_matrix) -> list[int]:
    """Nodes that receive work: reachable from a node with outside arrivals (sorted)."""
    n = len(gamma)
    sources = np.flatnonzero(gamma > 0)
    if not sources.size:
        return []
    graph = _with_extra_node(routing, sources, towards=False)
    order = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    return sorted(int(i) for i in order if i < n)


def _can_leave(routing: sparse.csr_matrix) -> np.ndarray:
    """Per node: can a case there ever reach the exit (a row summing below 1)?"""
    n = routing.shape[0]
    exits = np.flatnonzero(np.asarray(routing.sum(axis=1)).ravel() < 1 - 1e-12)
    out = np.zeros(n, dtype=bool)
    if not exits.size:
        return out
    graph = _with_extra_node(routing, exits, towards=True).T.tocsr()
    order = breadth_first_order(graph, n, directed=True, return_predecessors=False)
    out[[int(i) for i in order if i < n]] = True
    return out


def _with_extra_node(routing: sparse.csr_matrix, nodes: np.ndarray,
                     towards: bool) -> sparse.csr_matrix:
    """The routing graph with one extra node (number n) linked from (or to) ``nodes``."""
    n = routing.shape[0]
    coo = routing.tocoo()
    extra_rows = nodes if towards else np.full(nodes.size, n)
    extra_cols = np.full(nodes.size, n) if towards else nodes
    rows = np.concatenate([coo.row, extra_rows])
    cols = np.concatenate([coo.col, extra_cols])
    return sparse.csr_matrix((np.ones(rows.size), (rows, cols)), shape=(n + 1, n + 1))
