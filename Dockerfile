# syntax=docker/dockerfile:1
#
# CreditLedger API image.
#   docker build -t creditledger-api .
#   docker run --rm -p 5000:8080 \
#     -e ConnectionStrings__Credit="Host=...;Port=5432;Username=...;Password=...;Database=credit" \
#     -e Auth__SigningKey="$(openssl rand -base64 48)" creditledger-api
# Or use docker-compose.yml, which also starts PostgreSQL.

# ---- build ------------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src

# Restore inputs first, so the (slow) restore layer is reused until a project
# file or a package source changes. nuget.config adds build/local-feed, which
# holds the stand-in Patched.DistributedLock.Core package: restore needs both.
COPY nuget.config global.json Directory.Build.props .editorconfig ./
COPY build/local-feed/ build/local-feed/
COPY src/Credit.Domain/Credit.Domain.csproj src/Credit.Domain/
COPY src/Credit.Projections/Credit.Projections.csproj src/Credit.Projections/
COPY src/Credit.Api/Credit.Api.csproj src/Credit.Api/
# For the image's own runtime (linux-x64 or linux-arm64): the publish below compiles ReadyToRun code for it,
# so the API (and the `projections rebuild` command) start without JIT-compiling Marten and Wolverine first.
RUN dotnet restore src/Credit.Api/Credit.Api.csproj --use-current-runtime

COPY src/ src/
RUN dotnet publish src/Credit.Api/Credit.Api.csproj -c Release -o /app --no-restore --use-current-runtime --self-contained false -p:UseAppHost=false

# ---- runtime ----------------------------------------------------------------
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
# Files stay owned by root (read-only for the app); the process runs as the
# image's non-root "app" user.
COPY --from=build /app ./
USER app
# Urls, not ASPNETCORE_URLS: appsettings.json sets Urls (127.0.0.1:5000 for ./run), which outranks ASPNETCORE_URLS.
ENV Urls=http://+:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "Credit.Api.dll"]
