using Npgsql;
using NpgsqlTypes;

namespace Moderation.Domain.Persistence;

/// <summary>
/// Array parameters for set-based statements (<c>unnest(@x, …)</c>) whose elements may be null: Npgsql cannot infer
/// the element type of an array of nullable strings or ids, so it is named here once.
/// </summary>
public static class ArrayParameters
{
    public static NpgsqlParameter Texts(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };

    public static NpgsqlParameter Uuids(string name, IEnumerable<Guid?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Uuid) { Value = values.ToArray() };
}
