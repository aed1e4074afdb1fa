using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Moderation.Domain.Persistence;

/// <summary>Plain SQL read through the context's own connection and, when there is one, its transaction.</summary>
public static class RawQueries
{
    /// <summary>Runs <paramref name="sql"/> with positional parameters ($1, $2, …) and reads each row with <paramref name="read"/>.</summary>
    public static async Task<List<T>> QueryAsync<T>(this DbContext db, string sql, Func<DbDataReader, T> read, CancellationToken ct, params object[] parameters)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open)
        {
            await db.Database.OpenConnectionAsync(ct);
        }

        await using var command = (NpgsqlCommand)connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();
        foreach (var p in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = p });
        }

        var list = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            list.Add(read(reader));
        }

        return list;
    }
}
