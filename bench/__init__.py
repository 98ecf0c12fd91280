"""`make bench`: ingest throughput, /api/ask latency and memory, against a plain baseline.

    run.py        the command: options, the order of the measurements, results.json
    corpus.py     the generated 2,000-passage knowledge folder
    ingest.py     raw model throughput beside ingest throughput; the cached generated index
    baseline.py   what a newcomer would write: LangChain + Chroma similarity search
    ours.py       the project's in-process latency and recall (Runtime.ask, bot.evaluation)
    server.py     `bot serve` as a subprocess, timed over real HTTP, with its peak memory
    timing.py     latency summaries
    machine.py    what the figures were measured on
    report.py     the table printed to stdout
"""
