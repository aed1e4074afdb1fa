using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Moderation.Domain.Schools;

internal sealed class SchoolConfiguration : IEntityTypeConfiguration<School>
{
    public void Configure(EntityTypeBuilder<School> builder)
    {
        builder.ToTable("schools");
        builder.HasKey(s => s.Id);
        builder.Property(s => s.Slug).HasMaxLength(64);
        builder.Property(s => s.Name).HasMaxLength(200);
        builder.Property(s => s.TrustName).HasMaxLength(200);
        builder.Property(s => s.NotificationWebhookUrl).HasMaxLength(500);
        builder.Property(s => s.NamePolicy).HasConversion<string>().HasMaxLength(32);
        builder.Property(s => s.ConsentModel).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.ConsentTakedownAction).HasConversion<string>().HasMaxLength(16);
        builder.HasIndex(s => s.Slug).IsUnique();
    }
}

internal sealed class SocialAccountConfiguration : IEntityTypeConfiguration<SocialAccount>
{
    public void Configure(EntityTypeBuilder<SocialAccount> builder)
    {
        builder.ToTable("social_accounts");
        builder.HasKey(a => a.Id);
        builder.Property(a => a.Platform).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Handle).HasMaxLength(200);
        builder.Property(a => a.ExternalId).HasMaxLength(200);
        builder.Property(a => a.ConnectionStatus).HasConversion<string>().HasMaxLength(24).HasDefaultValue(ConnectionStatus.NotConnected);
        builder.Property(a => a.ApiBaseUrl).HasMaxLength(500);
        builder.Property(a => a.PollCursor).HasMaxLength(500);
        builder.Property(a => a.LastError).HasMaxLength(1000);
        builder.Property(a => a.CircuitState).HasMaxLength(16);
        builder.HasOne<Accounts.AppUser>().WithMany().HasForeignKey(a => a.ConnectedById).OnDelete(DeleteBehavior.SetNull);
        builder.HasIndex(a => a.ConnectionStatus);
        builder.HasOne<School>().WithMany().HasForeignKey(a => a.SchoolId).OnDelete(DeleteBehavior.Restrict);
        builder.HasIndex(a => new { a.Platform, a.ExternalId }).IsUnique();
    }
}
