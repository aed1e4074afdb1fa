using Moderation.Api.Accounts;
using Moderation.Api.Admin;
using Moderation.Api.Consent;
using Moderation.Api.Drafts;
using Moderation.Api.Health;
using Moderation.Api.Notifications;
using Moderation.Api.Http;
using Moderation.Api.Queue;
using Moderation.Api.Rota;
using Moderation.Api.Screening;
using Moderation.Api.Web;
using Moderation.Domain.Messaging;
using Moderation.Domain.Notifications;
using Moderation.Domain.Persistence;
using Moderation.Domain.Screening;

var builder = WebApplication.CreateBuilder(args);
builder.AddModerationPersistence();
builder.AddModerationScreening();
builder.AddModerationNotifications();
builder.AddRabbitMqOptions();
builder.AddHttpBasics();
builder.AddAccounts();
builder.AddHealth();
builder.AddAdmin();
builder.AddWeb();

var app = builder.Build();
await app.Services.MigrateModerationDatabaseAsync();
app.UseHttpBasics();
// Plain static files from wwwroot: the same whether run from the build output, published, or under test.
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();
app.MapOpenApi("/openapi/{documentName}.json");
app.MapHealthApi();
app.MapAuthApi();
app.MapQueueApi();
app.MapDraftsApi();
app.MapConsentApi();
app.MapScreeningApi();
app.MapNotificationsApi();
app.MapRotaApi();
app.MapAdminApi();
app.MapWeb();
app.Run();

public partial class Program;
