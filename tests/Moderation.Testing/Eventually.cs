namespace Moderation.Testing;

public static class Eventually
{
    /// <summary>
    /// Polls until the condition holds. The limit only stops a broken test from hanging; it is not a performance
    /// assertion, and it is generous on purpose.
    /// </summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}; last value: {value}");
            }

            await Task.Delay(100);
        }
    }
}
