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

    /// <summary>The tables the projection writes; emptied before a rebuild.</summary>
    public static readonly string[] Tables = ["customers", "ledger_entries", "item_movements", "daily_activity", "order_book", "limit_changes"];

    public static string Install(string eventSchema) => $"""
        create schema if not exists {Schema};

        create table if not exists {Schema}.customers (
            customer_id varchar primary key, name text not null, group_id varchar, currency varchar(3) not null,
            bypass_order_check boolean not null default false, customer_since date, assigned_to text[] not null default array[]::text[],
            credit_limit numeric, unlimited_credit boolean not null default false, credit_limit_expires_on date,
            on_hold boolean not null default false, hold_reason text,
            last_seq_id bigint not null default 0, updated_at timestamptz);

        create table if not exists {Schema}.ledger_entries (
            seq_id bigint primary key, customer_id varchar not null, business_date date not null, entry_type varchar not null,
            document_id varchar not null, debit numeric not null default 0, credit numeric not null default 0, recorded_at timestamptz not null);
        create index if not exists ledger_entries_customer_date on {Schema}.ledger_entries (customer_id, business_date, seq_id);

        create table if not exists {Schema}.item_movements (
            seq_id bigint not null, customer_id varchar not null, document_id varchar not null, installment int not null,
            due_on date not null, business_date date not null, source_id varchar not null, amount numeric not null,
            primary key (seq_id, document_id, installment));
        create index if not exists item_movements_item on {Schema}.item_movements (customer_id, document_id, installment);
        create index if not exists item_movements_source on {Schema}.item_movements (customer_id, source_id);

        create table if not exists {Schema}.daily_activity (
            customer_id varchar not null, business_date date not null,
            sales numeric not null default 0, opening_balance numeric not null default 0, receipts numeric not null default 0,
            reversals numeric not null default 0, credit_notes numeric not null default 0, orders_change numeric not null default 0,
            primary key (customer_id, business_date));

        create table if not exists {Schema}.order_book (
            customer_id varchar not null, order_id varchar not null, amount numeric not null, counted boolean not null,
            status varchar not null, primary key (customer_id, order_id));

        create table if not exists {Schema}.limit_changes (
            seq_id bigint primary key, customer_id varchar not null, business_date date not null,
            amount numeric, unlimited boolean not null, expires_on date);
        create index if not exists limit_changes_customer on {Schema}.limit_changes (customer_id, business_date, seq_id);

        -- Views are recreated on every start, dependants first.
        drop view if exists {Schema}.customer_balance, {Schema}.open_items, {Schema}.daily_balance, {Schema}.holds;

        -- End-of-day positions on every day with activity (carry the last row forward for days without).
        create view {Schema}.daily_balance as
        select customer_id, business_date, sales, opening_balance, receipts, reversals, credit_notes, orders_change,
               sum(sales + opening_balance + reversals - receipts - credit_notes)
                   over (partition by customer_id order by business_date) as outstanding,
               sum(orders_change) over (partition by customer_id order by business_date) as open_orders,
               sum(sales + opening_balance + reversals - receipts - credit_notes + orders_change)
                   over (partition by customer_id order by business_date) as exposure
        from {Schema}.daily_activity;

        -- Open receivables now, at installment level.
        create view {Schema}.open_items as
        select customer_id, document_id, installment, due_on,
               min(business_date) filter (where source_id = document_id) as issued_on,
               sum(amount) filter (where source_id = document_id) as amount,
               sum(amount) as open_amount
        from {Schema}.item_movements
        group by customer_id, document_id, installment, due_on
        having sum(amount) > 0;

        create view {Schema}.customer_balance as
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
                          sum(open_amount) filter (where due_on < current_date) as overdue
                   from {Schema}.open_items group by customer_id) i using (customer_id)
        left join (select customer_id,
                          sum(amount) filter (where counted and status in ('approved', 'released')) as open_orders,
                          sum(amount) filter (where status = 'held') as held_orders,
                          count(*) filter (where status = 'held') as held_order_count
                   from {Schema}.order_book group by customer_id) o using (customer_id);

        create view {Schema}.holds as
        select data->>'customerId' as customer_id, data->>'orderId' as order_id, (data->>'amount')::numeric as amount,
               (data->>'orderedOn')::date as ordered_on, array(select jsonb_array_elements_text(data->'reasons')) as reasons,
               (data->>'heldAt')::timestamptz as held_at, data->>'heldBy' as held_by, data->>'status' as status,
               (data->>'resolvedAt')::timestamptz as resolved_at, data->>'resolvedBy' as resolved_by, data->>'resolution' as resolution
        from {eventSchema}.mt_doc_heldorder;

        -- A role for BI tools: read the reporting schema, nothing else. Grant it to a login: grant {ReaderRole} to bi_user;
        do $$ begin
            if not exists (select 1 from pg_roles where rolname = '{ReaderRole}') then create role {ReaderRole} nologin; end if;
        end $$;
        grant usage on schema {Schema} to {ReaderRole};
        grant select on all tables in schema {Schema} to {ReaderRole};
        alter default privileges in schema {Schema} grant select on tables to {ReaderRole};
        -- The holds view reads documents in the event schema; views run with their owner's rights, so no grant there.
        """;
}
