using System.Net.Sockets;
using Microsoft.EntityFrameworkCore;
using Moderation.Domain.Messaging;
using Npgsql;

namespace Moderation.Domain.Tests.Messaging;

public sealed class TransientFaultsTests
{
    [Fact]
    public void A_refused_connection_is_transient_however_EF_wraps_it()
    {
        var refused = new NpgsqlException("Failed to connect to 127.0.0.1:5432", new SocketException((int)SocketError.ConnectionRefused));

        TransientFaults.IsTransient(refused).Should().BeTrue();
        TransientFaults.IsTransient(new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", refused)).Should().BeTrue();
        TransientFaults.IsTransient(new DbUpdateException("An error occurred while saving the entity changes.", refused)).Should().BeTrue();
        TransientFaults.IsTransient(new TimeoutException("The operation has timed out.")).Should().BeTrue();
    }

    [Fact]
    public void A_fault_of_the_message_itself_is_not_transient()
    {
        TransientFaults.IsTransient(new InvalidOperationException("Item 0b7c… does not exist.")).Should().BeFalse();
        TransientFaults.IsTransient(new FormatException("lexicon failed to load")).Should().BeFalse();
        TransientFaults.IsTransient(new DbUpdateConcurrencyException("Item changed while it was being routed.")).Should().BeFalse();
    }
}
