using Moderation.Domain.Screening;

namespace Moderation.Domain.Tests.Screening;

public sealed class StaffNameTests
{
    [Fact]
    public void A_titled_display_name_stands_for_the_full_name_the_name_without_title_and_the_title_with_the_surname()
    {
        // Act
        var names = SchoolScreeningProfile.StaffNamesWithTitles(["Mrs Helen Carter (Headteacher)"]).ToList();

        // Assert
        names.Should().BeEquivalentTo(["Mrs Helen Carter", "Mrs Carter", "Helen Carter"]);
    }

    [Fact]
    public void A_name_without_a_title_stands_for_its_surname_after_each_usual_title()
    {
        // Act
        var names = SchoolScreeningProfile.StaffNamesWithTitles(["Priya Shah (trust IT lead)", "  "]).ToList();

        // Assert
        names.Should().Contain(["Priya Shah", "Mrs Shah", "Mr Shah", "Ms Shah", "Miss Shah", "Dr Shah"]);
        names.Should().OnlyHaveUniqueItems();
    }
}
