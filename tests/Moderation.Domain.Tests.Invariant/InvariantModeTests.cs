namespace Moderation.Domain.Tests;

/// <summary>Guards the point of this project: if the switch were lost, the linked name tests would prove nothing new.</summary>
public sealed class InvariantModeTests
{
    [Fact]
    public void This_assembly_runs_with_invariant_globalization_on()
    {
        // Act
        var on = AppContext.TryGetSwitch("System.Globalization.Invariant", out var value) && value;

        // Assert
        on.Should().BeTrue();
    }
}
