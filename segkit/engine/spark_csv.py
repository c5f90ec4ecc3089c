"""Text files as the spark engine reads them: grouped by header line, each group's types inferred by Spark, but
timestamps kept as text, which the cleaning reads at the local time written (as pandas and DuckDB do)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["read_csv"]


def _separator(header: str) -> str:
    return max([",", ";", "\t", "|"], key=header.count) if header else ","


def read_csv(spark, files: list[str]):
    """Text files grouped by their header line, each group read at once, the groups put together by name."""
    groups: dict[str, list[str]] = {}
    for f in files:
        with open(f, encoding="utf-8", errors="replace") as fh:
            groups.setdefault(fh.readline().rstrip("\r\n"), []).append("file://" + str(Path(f).resolve()))
    frames = [_read_group(spark.read.options(header="true", escape='"', sep=_separator(header), mode="PERMISSIVE"),
                          group) for header, group in groups.items()]
    df = frames[0]
    for other in frames[1:]:
        df = df.unionByName(other, allowMissingColumns=True)
    return df


def _read_group(reader, group: list[str]):
    """One group's files with the types Spark infers, but timestamps kept as text: Spark would read "21:30 -05:00" as
    02:30 UTC; the cleaning reads it at the local time written, as pandas and DuckDB do."""
    from pyspark.sql.types import StringType, StructField, StructType

    df = reader.option("inferSchema", "true").csv(group)
    fields = [StructField(f.name, StringType()) if f.dataType.typeName() == "timestamp" else f for f in df.schema]
    return df if fields == list(df.schema) else reader.schema(StructType(fields)).csv(group)
