using Moderation.Domain.Caching;

namespace Moderation.Domain.Tests.Caching;

public sealed class BoundedCacheTests
{
    [Fact]
    public void Past_the_budget_the_least_recently_used_go_first()
    {
        // Arrange: a budget of 10, values weighing their length.
        var cache = new BoundedCache<string, string>(10, v => v.Length);
        cache.Set("a", "aaaa");
        cache.Set("b", "bbb");
        cache.Set("c", "cc");

        // Act: "a" is used, so "b" is now the least recently used; "d" takes the total to 12.
        cache.TryGet("a", out _).Should().BeTrue();
        cache.Set("d", "ddd");

        // Assert
        cache.TryGet("b", out _).Should().BeFalse();
        cache.TryGet("a", out var a).Should().BeTrue();
        a.Should().Be("aaaa");
        cache.TryGet("c", out _).Should().BeTrue();
        cache.TryGet("d", out _).Should().BeTrue();
        cache.Usage.Should().Be((3, 9L, 1L));
    }

    [Fact]
    public void A_value_heavier_than_the_budget_is_kept_alone()
    {
        var cache = new BoundedCache<int, int[]>(100, v => v.Length);
        cache.Set(1, new int[60]);
        cache.Set(2, new int[30]);

        cache.Set(3, new int[500]);

        cache.TryGet(3, out var big).Should().BeTrue();
        big.Should().HaveCount(500);
        cache.TryGet(1, out _).Should().BeFalse();
        cache.TryGet(2, out _).Should().BeFalse();
        cache.Usage.Should().Be((1, 500L, 2L));
    }

    [Fact]
    public void Storing_again_under_a_key_replaces_its_value_and_its_weight()
    {
        var cache = new BoundedCache<string, string>(10, v => v.Length);
        cache.Set("a", "aaaaaa");
        cache.Set("b", "bb");

        cache.Set("a", "a");

        cache.TryGet("a", out var a).Should().BeTrue();
        a.Should().Be("a");
        cache.Usage.Should().Be((2, 3L, 0L));
    }

    [Fact]
    public void A_value_weighing_nothing_still_counts_as_one()
    {
        var cache = new BoundedCache<int, string>(2, v => v.Length);
        cache.Set(1, "");
        cache.Set(2, "");
        cache.Set(3, "");

        cache.Usage.Should().Be((2, 2L, 1L));
        cache.TryGet(1, out _).Should().BeFalse();
    }

    [Fact]
    public void Values_no_one_will_use_again_can_be_let_go_and_their_weight_with_them()
    {
        var cache = new BoundedCache<string, int>(100, v => v);
        cache.Set("old", 30);
        cache.Set("older", 40);
        cache.Set("new", 5);

        cache.RemoveWhere(v => v >= 30).Should().Be(2);

        cache.Usage.Should().Be((1, 5L, 0L));
        cache.TryGet("new", out _).Should().BeTrue();
        cache.TryGet("old", out _).Should().BeFalse();
        cache.Set("again", 90);
        cache.Usage.Should().Be((2, 95L, 0L), "the weight let go no longer counts against the budget");
    }

    [Fact]
    public async Task Many_threads_at_once_leave_it_within_its_budget_and_its_books_straight()
    {
        var cache = new BoundedCache<int, int>(50, v => v);
        var workers = Enumerable.Range(0, 8).Select(w => Task.Run(() =>
        {
            var random = new Random(w);
            for (var i = 0; i < 20_000; i++)
            {
                var key = random.Next(40);
                if (!cache.TryGet(key, out var kept))
                {
                    cache.Set(key, 1 + (key % 5));
                }
                else
                {
                    kept.Should().Be(1 + (key % 5));
                }
            }
        }));

        await Task.WhenAll(workers);

        var (count, weight, _) = cache.Usage;
        weight.Should().BeLessThanOrEqualTo(50);
        var kept = Enumerable.Range(0, 40).Where(k => cache.TryGet(k, out _)).ToList();
        kept.Should().HaveCount(count);
        kept.Sum(k => 1 + (k % 5)).Should().Be((int)weight);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_budget_must_be_positive(long budget)
    {
        var create = () => new BoundedCache<int, int>(budget, v => v);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
