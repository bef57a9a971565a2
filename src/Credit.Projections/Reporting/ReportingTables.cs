namespace Credit.Projections.Reporting;

/// <summary>
/// Flat tables and views for BI tools in schema credit_reporting, kept by <see cref="ReportingProjection"/>
/// (tables) or over the read-model documents (views). Documented column by column in the README.
/// Business dates are the documents' own dates (issuedOn, receivedOn); changes without a document date
/// (limits, releases, cancellations) take the business date of the moment they were recorded.
/// </summary>
public static class ReportingTables
{
    public const string Schema = "credit_reporting";
    public const string ReaderRole = "credit_reporting_reader";

    /// <summary>
    /// The tables the projection writes; emptied before a rebuild. Every write is keyed by the event's sequence
    /// (insert-only, or setting a value), so applying an event twice changes nothing.
    /// </summary>
    public static readonly string[] Tables = ["customers", "ledger_entries", "item_movements", "order_movements", "order_book", "limit_changes"];

    /// <summary>The marker of a rebuild under way (not emptied by one).</summary>
    public const string RebuildsTable = "rebuilds";

    /// <summary>The views over them (recreated at start-up).</summary>
    public static readonly string[] Views = ["daily_activity", "daily_balance", "open_items", "customer_balance", "holds"];

    /// <summary><see cref="Tables"/> with their schema.</summary>
    public static IEnumerable<string> QualifiedTables => Tables.Select(t => $"{Schema}.{t}");

    /// <summary>Empties every table the projection writes (before a rebuild).</summary>
    public static string TruncateAll() => $"truncate {string.Join(", ", QualifiedTables)}";

    private static string CreateView(bool replace) => replace ? "or replace view" : "view";

    /// <summary>
    /// The tables (created if missing) and the views. <paramref name="replaceViews"/>: views replaced in place, which keeps
    /// objects a DBA built on them (possible while their columns only grow at the end); else dropped and created again.
    /// <paramref name="zone"/>: the business time zone, whose date decides what is overdue in the views (not the
    /// session's, which a BI driver sets to the client's).
    /// </summary>
    public static string Install(bool replaceViews = true, string zone = "Asia/Riyadh") => $"""
        create schema if not exists {Schema};

        create table if not exists {Schema}.customers (
            customer_id varchar primary key, name text not null, group_id varchar, currency varchar(3) not null,
            bypass_order_check boolean not null default false, customer_since date, assigned_to text[] not null default array[]::text[],
            credit_limit numeric, unlimited_credit boolean not null default false, credit_limit_expires_on date,
            on_hold boolean not null default false, hold_reason text,
            last_seq_id bigint not null default 0, updated_at timestamptz);
        -- customer_since = stated_since (the profile's) else first_document_on, as the account decides it.
        alter table {Schema}.customers add column if not exists stated_since date, add column if not exists first_document_on date;

        create table if not exists {Schema}.ledger_entries (
            seq_id bigint primary key, customer_id varchar not null, business_date date not null, entry_type varchar not null,
            document_id varchar not null, debit numeric not null default 0, credit numeric not null default 0, recorded_at timestamptz not null);
        create index if not exists ledger_entries_customer_date on {Schema}.ledger_entries (customer_id, business_date, seq_id);

        create table if not exists {Schema}.item_movements (
            seq_id bigint not null, customer_id varchar not null, document_id varchar not null, installment int not null,
            due_on date not null, business_date date not null, source_id varchar not null, amount numeric not null,
            primary key (seq_id, document_id, installment, business_date));
        -- A reversal reopens each piece its payment settled on that piece's own date (never before it was settled), so one
        -- event may write two rows for one installment, told apart by their date: tables made before take the wider key.
        do $$ declare k record; begin
          select conname, array_length(conkey, 1) as width into k from pg_constraint
          where conrelid = '{Schema}.item_movements'::regclass and contype = 'p';
          if k.width = 3 then
            execute format('alter table {Schema}.item_movements drop constraint %I, add primary key (seq_id, document_id, installment, business_date)', k.conname);
          end if;
        end $$;
        -- What wrote the row: the item itself (invoice, opening-balance), what settled it (payment, credit-note) or a
        -- payment-reversal reopening it. A payment and a credit note may share an id, so a reversal reopens only payment rows
        -- (it reopened the note's too). Null on rows written before 2026-12-01 and on credit applied by events from before.
        alter table {Schema}.item_movements add column if not exists source_type varchar;
        create index if not exists item_movements_item on {Schema}.item_movements (customer_id, document_id, installment);
        create index if not exists item_movements_source on {Schema}.item_movements (customer_id, source_id);

        create table if not exists {Schema}.order_movements (
            seq_id bigint primary key, customer_id varchar not null, business_date date not null, order_id varchar not null,
            amount numeric not null);
        create index if not exists order_movements_customer_date on {Schema}.order_movements (customer_id, business_date);
        create index if not exists order_movements_order on {Schema}.order_movements (customer_id, order_id);

        create table if not exists {Schema}.order_book (
            customer_id varchar not null, order_id varchar not null, amount numeric not null, counted boolean not null,
            status varchar not null, ordered_on date not null, reasons text[] not null, warnings text[] not null,
            held_at timestamptz, held_by varchar, hold_status varchar,
            resolved_at timestamptz, resolved_by varchar, resolution text,
            primary key (customer_id, order_id));
        create index if not exists order_book_holds on {Schema}.order_book (hold_status, held_at) where hold_status is not null;

        create table if not exists {Schema}.limit_changes (
            seq_id bigint primary key, customer_id varchar not null, business_date date not null,
            amount numeric, unlimited boolean not null, expires_on date);
        create index if not exists limit_changes_customer on {Schema}.limit_changes (customer_id, business_date, seq_id);

        -- A row while a rebuild is under way, written with the emptying and deleted with the last step: one left behind was
        -- cut short (the process killed), and the next start finishes it before answering from the tables.
        create table if not exists {Schema}.{RebuildsTable} (started_at timestamptz not null);

        -- Views are recreated on every start (in place when they can be), dependants first.
        {(replaceViews ? "" : $"drop view if exists {string.Join(", ", Views.Select(v => $"{Schema}.{v}"))};")}

        -- Each customer's movements per business date: the daily series behind DSO and average balances.
        create {CreateView(replaceViews)} {Schema}.daily_activity as
        select customer_id, business_date,
               coalesce(sum(debit) filter (where kind = 'invoice'), 0) as sales,
               coalesce(sum(debit) filter (where kind = 'opening-balance'), 0) as opening_balance,
               coalesce(sum(credit) filter (where kind = 'payment'), 0) as receipts,
               coalesce(sum(debit) filter (where kind = 'payment-reversal'), 0) as reversals,
               coalesce(sum(credit) filter (where kind = 'credit-note'), 0) as credit_notes,
               coalesce(sum(debit) filter (where kind = 'order'), 0) as orders_change
        from (select customer_id, business_date, entry_type as kind, debit, credit from {Schema}.ledger_entries
              union all
              select customer_id, business_date, 'order', amount, 0 from {Schema}.order_movements) m
        group by customer_id, business_date;

        -- End-of-day positions on every day with activity (carry the last row forward for days without).
        create {CreateView(replaceViews)} {Schema}.daily_balance as
        select customer_id, business_date, sales, opening_balance, receipts, reversals, credit_notes, orders_change,
               sum(sales + opening_balance + reversals - receipts - credit_notes)
                   over (partition by customer_id order by business_date) as outstanding,
               sum(orders_change) over (partition by customer_id order by business_date) as open_orders,
               sum(sales + opening_balance + reversals - receipts - credit_notes + orders_change)
                   over (partition by customer_id order by business_date) as exposure
        from {Schema}.daily_activity;
        -- Open receivables now, at installment level.
        create {CreateView(replaceViews)} {Schema}.open_items as
        select customer_id, document_id, installment, due_on,
               min(business_date) filter (where source_id = document_id) as issued_on,
               sum(amount) filter (where source_id = document_id) as amount,
               sum(amount) as open_amount
        from {Schema}.item_movements
        group by customer_id, document_id, installment, due_on
        having sum(amount) > 0;

        create {CreateView(replaceViews)} {Schema}.customer_balance as
        select c.customer_id, c.name, c.group_id, c.currency, c.credit_limit, c.unlimited_credit, c.credit_limit_expires_on,
               c.on_hold, c.customer_since,
               coalesce(a.outstanding, 0) as outstanding, coalesce(o.open_orders, 0) as open_orders,
               coalesce(a.outstanding, 0) + coalesce(o.open_orders, 0) as exposure,
               coalesce(i.open_items, 0) - coalesce(a.outstanding, 0) as unapplied_credit,
               coalesce(i.overdue, 0) as overdue, coalesce(o.held_orders, 0) as held_orders,
               coalesce(o.held_order_count, 0) as held_order_count, c.updated_at
        from {Schema}.customers c
        left join (select customer_id, sum(sales + opening_balance + reversals - receipts - credit_notes) as outstanding
                   from {Schema}.daily_activity group by customer_id) a using (customer_id)
        left join (select customer_id, sum(open_amount) as open_items,
                          sum(open_amount) filter (where due_on < (now() at time zone '{zone.Replace("'", "''")}')::date) as overdue
                   from {Schema}.open_items group by customer_id) i using (customer_id)
        left join (select customer_id,
                          sum(amount) filter (where counted and status in ('approved', 'released')) as open_orders,
                          sum(amount) filter (where status = 'held') as held_orders,
                          count(*) filter (where status = 'held') as held_order_count
                   from {Schema}.order_book group by customer_id) o using (customer_id);

        create {CreateView(replaceViews)} {Schema}.holds as
        select customer_id, order_id, amount, ordered_on, reasons, held_at, held_by, hold_status as status,
               resolved_at, resolved_by, resolution, status as order_status
        from {Schema}.order_book where hold_status is not null;

        -- A role for BI tools: read the reporting schema, nothing else. Grant it to a login: grant {ReaderRole} to bi_user;
        do $$ begin
            if not exists (select 1 from pg_roles where rolname = '{ReaderRole}') then create role {ReaderRole} nologin; end if;
        end $$;
        grant usage on schema {Schema} to {ReaderRole};
        grant select on all tables in schema {Schema} to {ReaderRole};
        alter default privileges in schema {Schema} grant select on tables to {ReaderRole};
        """;
}

/// <summary>item_movements.source_type: what wrote the row.</summary>
public static class SourceTypes
{
    public const string Invoice = "invoice";
    public const string OpeningBalance = "opening-balance";
    public const string Payment = "payment";
    public const string CreditNote = "credit-note";
    public const string PaymentReversal = "payment-reversal";

    /// <summary>Credit applied: from its event's source (null on events from before it was recorded).</summary>
    public static string? Of(Credit.Domain.Accounts.CreditSource? source) => source switch
    {
        Credit.Domain.Accounts.CreditSource.Payment => Payment,
        Credit.Domain.Accounts.CreditSource.CreditNote => CreditNote,
        _ => null,
    };
}
