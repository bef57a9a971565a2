using System.Globalization;
using System.Text;
using Npgsql;

namespace Credit.Projections.Reporting;

/// <summary>
/// Writes what a <see cref="ReportingReplay"/> folded into the (emptied) reporting tables with COPY: no
/// per-row statement, no conflict checks, no look-up joins. Column lists follow <see cref="ReportingTables"/>.
/// </summary>
public static class ReportingBulkLoad
{
    private const string S = ReportingTables.Schema;

    /// <summary>The insert-only rows made since the last call.</summary>
    public static async Task WriteRows(NpgsqlConnection conn, ReportingReplay replay, CancellationToken ct)
    {
        var (ledger, items, limits, movements) = replay.TakeRows();
        if (ledger.Count > 0)
            await Copy(conn, "ledger_entries (seq_id, customer_id, business_date, entry_type, document_id, debit, credit, recorded_at)", ledger,
                (w, r) => w.Long(r.Seq).Text(r.Customer).Date(r.On).Text(r.Type).Text(r.Document).Number(r.Debit).Number(r.Credit).Moment(r.At), ct);
        if (items.Count > 0)
            await Copy(conn, "item_movements (seq_id, customer_id, document_id, installment, due_on, business_date, source_id, amount, source_type)", items,
                (w, r) => w.Long(r.Seq).Text(r.Customer).Text(r.Document).Long(r.Installment).Date(r.DueOn).Date(r.On).Text(r.Source).Number(r.Amount)
                    .Text(r.SourceType), ct);
        if (limits.Count > 0)
            await Copy(conn, "limit_changes (seq_id, customer_id, business_date, amount, unlimited, expires_on)", limits,
                (w, r) => w.Long(r.Seq).Text(r.Customer).Date(r.On).Number(r.Amount).Bool(r.Unlimited).Date(r.ExpiresOn), ct);
        if (movements.Count > 0)
            await Copy(conn, "order_movements (seq_id, customer_id, business_date, order_id, amount)", movements,
                (w, r) => w.Long(r.Seq).Text(r.Customer).Date(r.On).Text(r.Order).Number(r.Amount), ct);
    }

    /// <summary>The customers and orders as they stand at the end of the replay.</summary>
    public static async Task WriteFinal(NpgsqlConnection conn, ReportingReplay replay, CancellationToken ct)
    {
        await WriteRows(conn, replay, ct);
        await Copy(conn, """
            customers (customer_id, name, group_id, currency, bypass_order_check, customer_since, stated_since, first_document_on,
                assigned_to, credit_limit, unlimited_credit, credit_limit_expires_on, on_hold, hold_reason, last_seq_id, updated_at)
            """, replay.Customers,
            (w, c) => w.Text(c.Id).Text(c.Name).Text(c.GroupId).Text(c.Currency).Bool(c.BypassOrderCheck).Date(c.CustomerSince)
                .Date(c.StatedSince).Date(c.FirstDocumentOn)
                .Array(c.AssignedTo).Number(c.CreditLimit).Bool(c.UnlimitedCredit).Date(c.CreditLimitExpiresOn).Bool(c.OnHold)
                .Text(c.HoldReason).Long(c.LastSeq).Moment(c.UpdatedAt), ct);
        await Copy(conn, """
            order_book (customer_id, order_id, amount, counted, status, ordered_on, reasons, warnings, held_at, held_by, hold_status,
                resolved_at, resolved_by, resolution)
            """, replay.Orders,
            (w, o) => w.Text(o.Customer).Text(o.Order).Number(o.Amount).Bool(o.Counted).Text(o.Status).Date(o.OrderedOn)
                .Array(o.Reasons).Array(o.Warnings).Moment(o.HeldAt).Text(o.HeldBy).Text(o.HoldStatus).Moment(o.ResolvedAt)
                .Text(o.ResolvedBy).Text(o.Resolution), ct);
    }

    /// <summary>COPY in PostgreSQL's text format, formatted here: Npgsql's binary importer binds a parameter per value,
    /// which profiled as the rebuild's largest .NET cost after deserialization.</summary>
    private static async Task Copy<T>(NpgsqlConnection conn, string table, IEnumerable<T> rows, Action<CopyLine, T> write, CancellationToken ct)
    {
        var line = new CopyLine();
        await using var writer = await conn.BeginTextImportAsync($"copy {S}.{table} from stdin", ct);
        foreach (var row in rows)
        {
            write(line, row);
            line.End(writer);
        }
        await writer.FlushAsync(ct);
    }

    /// <summary>One row of COPY text: tab-separated fields, <c>\N</c> for null, backslash escapes.</summary>
    private sealed class CopyLine
    {
        private readonly StringBuilder _b = new(256);
        private int _fields;

        private CopyLine Next()
        {
            if (_fields++ > 0) _b.Append('\t');
            return this;
        }

        private CopyLine Null() => Raw("\\N");

        private CopyLine Raw(string text)
        {
            Next()._b.Append(text);
            return this;
        }

        public CopyLine Long(long v)
        {
            Next()._b.Append(v);
            return this;
        }

        public CopyLine Bool(bool v) => Raw(v ? "t" : "f");

        // Invariant decimal text keeps the scale (100.00 stays 100.00), as the numeric parameter does.
        public CopyLine Number(decimal v)
        {
            Next()._b.Append(v.ToString(CultureInfo.InvariantCulture));
            return this;
        }

        public CopyLine Number(decimal? v) => v is { } n ? Number(n) : Null();

        public CopyLine Date(DateOnly v)
        {
            Next()._b.Append(v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            return this;
        }

        public CopyLine Date(DateOnly? v) => v is { } d ? Date(d) : Null();

        public CopyLine Moment(DateTimeOffset? v)
        {
            if (v is not { } m) return Null();
            Next()._b.Append(m.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture)).Append("+00");
            return this;
        }

        public CopyLine Text(string? v)
        {
            if (v is null) return Null();
            Next();
            Escape(v);
            return this;
        }

        /// <summary>A text[] literal: every element quoted, then escaped for COPY like any field.</summary>
        public CopyLine Array(IReadOnlyList<string> items)
        {
            var literal = new StringBuilder("{");
            for (var i = 0; i < items.Count; i++)
            {
                if (i > 0) literal.Append(',');
                literal.Append('"').Append(items[i].Replace("\\", "\\\\").Replace("\"", "\\\"")).Append('"');
            }
            Next();
            Escape(literal.Append('}').ToString());
            return this;
        }

        private void Escape(string v)
        {
            foreach (var c in v)
                switch (c)
                {
                    case '\\': _b.Append("\\\\"); break;
                    case '\t': _b.Append("\\t"); break;
                    case '\n': _b.Append("\\n"); break;
                    case '\r': _b.Append("\\r"); break;
                    default: _b.Append(c); break;
                }
        }

        public void End(TextWriter writer)
        {
            _b.Append('\n');
            foreach (var chunk in _b.GetChunks()) writer.Write(chunk.Span);
            _b.Clear();
            _fields = 0;
        }
    }
}
