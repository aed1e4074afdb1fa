using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Moderation.Domain.Items;
using Moderation.Domain.Platforms;
using Moderation.Domain.Routing;
using Moderation.Domain.Screening;
using Npgsql;
using NpgsqlTypes;

namespace Moderation.Domain.Persistence;

/// <summary>
/// The rows a save adds to the tables a write batch fills by the dozen (items, their photos, targets and findings,
/// assignments, platform actions) go in with one statement a table, <c>INSERT … SELECT … FROM unnest(…)</c>, built
/// once per table from EF's model (ADR 0610). EF builds, sends and reads back one INSERT for each row: a lane's batch
/// of twelve comments was about fifty of them. Everything else a save holds is left to EF, which saves it afterwards
/// in the same transaction.
/// <para>
/// These rows go first. So they are only taken when nothing else in the save could need to go before them:
/// <list type="bullet">
/// <item>no row of a table they reference (a school, an account, a user) is being added in the same save;</item>
/// <item>no row of the same table is being changed or deleted in it (an assignment ended and its successor added, say),
/// as EF orders those to keep unique indexes whole. A table with such rows, and every table after it, is left to EF.</item>
/// </list>
/// It is only used inside a transaction the caller opened, so the rows commit or roll back with the rest of the save.
/// A failure is reported as EF reports one (<see cref="DbUpdateException"/> around the <see cref="PostgresException"/>),
/// and the rows are left added, as EF leaves what it did not save.
/// </para>
/// </summary>
internal static class SetInserts
{
    /// <summary>The tables taken, in an order in which each row's foreign keys point to rows inserted before it.</summary>
    private static readonly Type[] s_order =
        [typeof(ModerationItem), typeof(ItemMedia), typeof(DraftTarget), typeof(ScreeningFinding), typeof(ItemAssignment), typeof(PlatformActionRecord)];

    private static readonly ConcurrentDictionary<IModel, Plan> s_plans = new();

    /// <summary>
    /// Inserts the added rows of <see cref="s_order"/>'s tables that may go first, and marks them unchanged. Returns their
    /// entries, for <see cref="Undo"/> if the rest of the save fails. Changes must have been detected.
    /// </summary>
    public static async Task<List<EntityEntry>> InsertAsync(DbContext db, CancellationToken ct)
    {
        var done = new List<EntityEntry>();
        if (db.Database.CurrentTransaction is not { } transaction)
        {
            return done;
        }

        var plan = s_plans.GetOrAdd(db.Model, model => new Plan(model));
        var added = new Dictionary<Type, List<EntityEntry>>();
        var changed = new HashSet<Type>();
        foreach (var entry in db.ChangeTracker.Entries())
        {
            var type = entry.Metadata.ClrType;
            if (entry.State == EntityState.Added)
            {
                if (plan.Principals.Contains(type))
                {
                    return done;
                }

                if (plan.Tables.ContainsKey(type))
                {
                    (added.TryGetValue(type, out var list) ? list : added[type] = []).Add(entry);
                }
            }
            else if (entry.State is EntityState.Modified or EntityState.Deleted && plan.Tables.ContainsKey(type))
            {
                changed.Add(type);
            }
        }

        var taken = new List<(Table Table, List<EntityEntry> Entries)>();
        foreach (var type in s_order)
        {
            if (changed.Contains(type))
            {
                break;
            }

            if (added.TryGetValue(type, out var entries))
            {
                taken.Add((plan.Tables[type], entries));
            }
        }

        if (taken.Count == 0)
        {
            return done;
        }

        // One round trip for all the tables. Only the first table (items) reads anything back.
        await using var batch = new NpgsqlBatch((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction)transaction.GetDbTransaction());
        foreach (var (table, entries) in taken)
        {
            batch.BatchCommands.Add(table.Command(entries));
            done.AddRange(entries);
        }

        try
        {
            if (taken[0].Table.ReadsBack)
            {
                await using var reader = await batch.ExecuteReaderAsync(ct);
                await taken[0].Table.ReadBackAsync(reader, taken[0].Entries, ct);
                while (await reader.NextResultAsync(ct))
                {
                }
            }
            else
            {
                await batch.ExecuteNonQueryAsync(ct);
            }
        }
        catch (PostgresException ex)
        {
            var failed = ex.BatchCommand is { } command ? batch.BatchCommands.IndexOf(command) : -1;
            var where = failed >= 0 ? taken[failed].Table.Name : string.Join(", ", taken.Select(t => t.Table.Name));
            throw new DbUpdateException($"Could not insert the rows added to {where}: {ex.MessageText}", ex, done);
        }

        foreach (var entry in done)
        {
            entry.State = EntityState.Unchanged;
        }

        return done;
    }

    /// <summary>Puts rows inserted by <see cref="InsertAsync"/> back to added, when the save they were part of failed.</summary>
    public static void Undo(List<EntityEntry> entries)
    {
        foreach (var entry in entries)
        {
            entry.State = EntityState.Added;
        }
    }

    /// <summary>The statements for one model, and the types whose added rows mean nothing can go first.</summary>
    private sealed class Plan
    {
        public Plan(IModel model)
        {
            foreach (var clrType in s_order)
            {
                var entityType = model.FindEntityType(clrType)
                    ?? throw new InvalidOperationException($"{clrType.Name} is not in the model.");
                Tables[clrType] = new Table(entityType);
                if (Tables[clrType].ReadsBack && clrType != s_order[0])
                {
                    throw new InvalidOperationException($"{clrType.Name} reads back a row version; only the first table may.");
                }

                foreach (var foreignKey in entityType.GetForeignKeys())
                {
                    var principal = foreignKey.PrincipalEntityType.ClrType;
                    var index = Array.IndexOf(s_order, principal);
                    if (index >= Array.IndexOf(s_order, clrType))
                    {
                        throw new InvalidOperationException($"{clrType.Name} references {principal.Name}, which is not inserted before it.");
                    }

                    if (index < 0)
                    {
                        Principals.Add(principal);
                    }
                }
            }
        }

        public Dictionary<Type, Table> Tables { get; } = [];

        public HashSet<Type> Principals { get; } = [];
    }

    /// <summary>One table's statement: a typed array parameter for each column, and the row version read back if it has one.</summary>
    private sealed class Table
    {
        private readonly IProperty[] _columns;
        private readonly NpgsqlDbType[] _types;
        private readonly Type[] _elements;
        private readonly Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter?[] _converters;
        private readonly IProperty? _rowVersion;
        private readonly IProperty? _key;
        private readonly string _sql;

        public Table(IEntityType entityType)
        {
            Name = entityType.GetTableName()!;
            var table = StoreObjectIdentifier.Table(Name, entityType.GetSchema());
            var columns = new List<IProperty>();
            foreach (var property in entityType.GetProperties())
            {
                if (property.IsConcurrencyToken && property.ValueGenerated == ValueGenerated.OnAddOrUpdate)
                {
                    _rowVersion = property;
                    continue;
                }

                if (property.IsShadowProperty() || property.GetValueGenerationStrategy() != Npgsql.EntityFrameworkCore.PostgreSQL.Metadata.NpgsqlValueGenerationStrategy.None
                    || (property.GetDefaultValueSql() is not null) || property.GetComputedColumnSql() is not null)
                {
                    throw new InvalidOperationException($"{entityType.ClrType.Name}.{property.Name} is generated by the database or has no CLR member.");
                }

                // EF leaves out a column whose value is its CLR default, so that the database's default applies; these
                // statements write every column, which is the same only while the two defaults agree.
                if (property.GetDefaultValue() is { } defaultValue && !Equals(defaultValue, property.Sentinel))
                {
                    throw new InvalidOperationException(
                        $"{entityType.ClrType.Name}.{property.Name} defaults to {defaultValue} in the database but {property.Sentinel ?? "null"} in C#.");
                }

                columns.Add(property);
            }

            _columns = [.. columns];
            _types = [.. columns.Select(c => ElementType(entityType, c))];
            _converters = [.. columns.Select(c => c.GetTypeMapping().Converter)];
            _elements = [.. columns.Select((c, i) =>
            {
                // The array's element type is what the provider writes: a converted enum is a string, a nullable value a Nullable<T>.
                var clr = _converters[i]?.ProviderClrType ?? c.ClrType;
                clr = Nullable.GetUnderlyingType(clr) ?? clr;
                return clr.IsValueType && c.IsNullable ? typeof(Nullable<>).MakeGenericType(clr) : clr;
            })];
            var names = columns.Select(c => Quote(c.GetColumnName(table)!)).ToList();
            var parameters = Enumerable.Range(0, columns.Count).Select(i => $"$" + (i + 1));
            _sql = $"INSERT INTO {Quote(Name)} ({string.Join(", ", names)}) SELECT * FROM unnest({string.Join(", ", parameters)})";
            if (_rowVersion is not null)
            {
                _key = entityType.FindPrimaryKey()!.Properties.Single();
                _sql += $" RETURNING {Quote(_key.GetColumnName(table)!)}, {Quote(_rowVersion.GetColumnName(table)!)}";
            }
        }

        public string Name { get; }

        /// <summary>Whether its statement returns each row's key and version.</summary>
        public bool ReadsBack => _rowVersion is not null;

        /// <summary>The statement for these rows, each column's values in one array.</summary>
        public NpgsqlBatchCommand Command(List<EntityEntry> entries)
        {
            var columns = new Array[_columns.Length];
            for (var c = 0; c < _columns.Length; c++)
            {
                columns[c] = Array.CreateInstance(_elements[c], entries.Count);
            }

            for (var r = 0; r < entries.Count; r++)
            {
                var current = entries[r].CurrentValues;
                for (var c = 0; c < _columns.Length; c++)
                {
                    var value = current[_columns[c]];
                    columns[c].SetValue(value is null || _converters[c] is not { } converter ? value : converter.ConvertToProvider(value), r);
                }
            }

            var command = new NpgsqlBatchCommand(_sql);
            for (var c = 0; c < _columns.Length; c++)
            {
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | _types[c], Value = columns[c] });
            }

            return command;
        }

        /// <summary>Sets each row's version from what its statement returned.</summary>
        public async Task ReadBackAsync(NpgsqlDataReader reader, List<EntityEntry> entries, CancellationToken ct)
        {
            var byKey = new Dictionary<object, EntityEntry>(entries.Count);
            foreach (var entry in entries)
            {
                byKey[entry.CurrentValues[_key!]!] = entry;
            }

            while (await reader.ReadAsync(ct))
            {
                byKey[reader.GetValue(0)].CurrentValues[_rowVersion!] = reader.GetFieldValue<uint>(1);
            }
        }

        private static NpgsqlDbType ElementType(IEntityType entityType, IProperty property)
        {
            var storeType = property.GetColumnType();
            var bracket = storeType.IndexOf('(');
            return (bracket < 0 ? storeType : storeType[..bracket]).Trim() switch
            {
                "uuid" => NpgsqlDbType.Uuid,
                "text" or "character varying" or "varchar" => NpgsqlDbType.Text,
                "jsonb" => NpgsqlDbType.Jsonb,
                "timestamp with time zone" or "timestamptz" => NpgsqlDbType.TimestampTz,
                "integer" or "int" or "int4" => NpgsqlDbType.Integer,
                "bigint" or "int8" => NpgsqlDbType.Bigint,
                "smallint" or "int2" => NpgsqlDbType.Smallint,
                "boolean" or "bool" => NpgsqlDbType.Boolean,
                "bytea" => NpgsqlDbType.Bytea,
                "date" => NpgsqlDbType.Date,
                "double precision" => NpgsqlDbType.Double,
                "numeric" => NpgsqlDbType.Numeric,
                var other => throw new InvalidOperationException($"{entityType.ClrType.Name}.{property.Name} is stored as {other}, which set-based inserts do not write."),
            };
        }

        private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";
    }
}
