"""What a running worker pays to notice batch runs (`Worker.reload_if_batch_changed`): the look before each group
when nothing changed (a stat per watched file), and the rebuild when a run has landed (the batch files loaded
and the journal replayed, as a start does), next to a fresh start. A run landing is simulated by rewriting
linkage.json as `ilos link add` does last. Without `--linkage` a world of `--persons` is generated, linked and
its subjects built in a scratch directory; a given linkage without built subjects gets a timeline of its
records' events first (as `bench_worker.py` builds it), so the worker loads what it loads in service.
Prints the peak RSS after the start and after the reloads: a reload holds the old state while it builds
the new one. Last, with `--linked-meanwhile N`, a run lands once more under a worker that rebuilds in the
background (`rebuild_in_background`, as `ilos worker run --follow` and the web's worker do), and events are
posted and linked one at a time until the rebuilt state replaces the old: how many were linked meanwhile and
what each took, against the same before the run landed.

    python benchmarks/bench_worker_reload.py --persons 1200 --events 50
    python benchmarks/bench_worker_reload.py --linkage /work/bench-100k/linkage --world /work/bench-100k/world
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench_worker import _scratch_linkage, build_timeline, incoming_events
from ilos.definitions.sources import load_sources_config
from ilos.resolve import linkage
from ilos.services.change_inbox import ChangeEvent
from ilos.services.linking import link_config
from ilos.services.realtime import Worker, post_change
from ilos.services.subjects import TIMELINE_FILE, build_subjects
from ilos.services.world import generate_world
from measure import peak_rss_gib, rss_gib


def add_linkage_arguments(parser: argparse.ArgumentParser, persons: int) -> None:
    """The options `_linkage_and_world` reads: a linkage and its world, or the size of a world to make."""
    parser.add_argument("--linkage", type=Path)
    parser.add_argument("--world", type=Path, help="the synthetic world the linkage was made from")
    parser.add_argument(
        "--persons", type=int, default=persons, help="the world to generate without --linkage"
    )
    parser.add_argument("--seed", type=int, default=5)


def _linkage_and_world(args: argparse.Namespace) -> tuple[Path, Path]:
    if args.linkage is not None:
        return args.linkage, args.world
    root = Path(tempfile.mkdtemp(prefix="ilos-bench-reload-"))
    generate_world(root / "world", args.persons, args.seed, None)
    link_config(root / "world" / "sources.yaml", root / "linkage")
    build_subjects(root / "linkage", root / "world" / "sources.yaml")
    return root / "linkage", root / "world"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    add_linkage_arguments(parser, persons=1200)
    parser.add_argument("--events", type=int, default=50, help="events journaled before the reloads")
    parser.add_argument("--looks", type=int, default=20_000, help="looks timed when nothing changed")
    parser.add_argument("--reloads", type=int, default=3)
    parser.add_argument(
        "--linked-meanwhile", type=int, default=0, help="events at most, rebuilding in the background"
    )
    args = parser.parse_args()
    linkage_dir, world = _linkage_and_world(args)
    config = load_sources_config(world / "sources.yaml")
    if not (linkage_dir / TIMELINE_FILE).exists():
        build_timeline(linkage_dir, config)
    scratch = _scratch_linkage(linkage_dir)
    events = incoming_events(config, args.events + 2 * args.linked_meanwhile, args.seed)
    for event in events[: args.events]:
        post_change(scratch, event.source, event.values)
    started = time.perf_counter()
    worker = Worker(scratch)
    worker.run_once()
    print(
        f"start: {time.perf_counter() - started:.2f} s (with {args.events} events linked); "
        f"RSS {rss_gib():.2f} GiB, peak so far {peak_rss_gib():.2f} GiB"
    )
    print(f"timeline: {'built' if (scratch / TIMELINE_FILE).exists() else 'none'}")

    looks = []
    for _ in range(args.looks):
        started = time.perf_counter()
        assert worker.reload_if_batch_changed() is False
        looks.append(time.perf_counter() - started)
    print(f"look, nothing changed: median {statistics.median(looks) * 1e6:.1f} µs over {args.looks:,}")

    reloads = []
    for _ in range(args.reloads):
        linkage.record_judgements_applied(scratch, linkage.judgements_applied(scratch))  # a run's seal
        started = time.perf_counter()
        assert worker.reload_if_batch_changed() is True
        reloads.append(time.perf_counter() - started)
        print(f"  reload {len(reloads)}: {reloads[-1]:.2f} s, RSS after {rss_gib():.2f} GiB", flush=True)
    print(
        f"reload (files + journal of {args.events} events): median {statistics.median(reloads):.2f} s, "
        f"runs {', '.join(f'{r:.2f}' for r in reloads)} s; RSS after {rss_gib():.2f} GiB, "
        f"peak RSS {peak_rss_gib():.2f} GiB"
    )
    if args.linked_meanwhile:
        _linked_meanwhile(worker, scratch, events[args.events :], args.linked_meanwhile)


def _linked_meanwhile(worker: Worker, scratch: Path, events: list[ChangeEvent], most: int) -> None:
    """Link events one at a time (post, look, link) before a run lands, then while the worker rebuilds in the
    background, until the rebuilt state replaces the old or `most` events have been linked. The same worker:
    a second one would hold a second state (at 1M persons, 5 GiB more)."""
    worker.rebuild_in_background = True
    before = [_post_and_link(worker, scratch, e) for e in events[:most]]
    old = worker.linker
    linkage.record_judgements_applied(scratch, linkage.judgements_applied(scratch))  # a run's seal
    started = time.perf_counter()
    meanwhile = []
    for event in events[most:]:
        meanwhile.append(_post_and_link(worker, scratch, event))
        if worker.linker is not old:
            break
    replaced = worker.linker is not old
    took = time.perf_counter() - started
    print(
        f"rebuilding in the background: {'replaced' if replaced else 'still building'} after {took:.2f} s; "
        f"{len(meanwhile) - replaced} events linked meanwhile, each (post, look, link) median "
        f"{statistics.median(meanwhile) * 1000:.1f} ms, max {max(meanwhile) * 1000:.0f} ms; before the run "
        f"landed median {statistics.median(before) * 1000:.1f} ms, max {max(before) * 1000:.0f} ms; "
        f"peak RSS {peak_rss_gib():.2f} GiB"
    )


def _post_and_link(worker: Worker, scratch: Path, event: ChangeEvent) -> float:
    started = time.perf_counter()
    post_change(scratch, event.source, event.values)
    worker.run_once()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
