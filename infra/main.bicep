// DisTrack Functions on Azure Flex Consumption, deployed into one resource group per environment.
// Raw resources only (no registry modules), so that the file builds and is tested without network.
// What it creates and how to deploy it: docs/deploy.md.

targetScope = 'resourceGroup'

@description('Short application name, lowercase letters and digits. Names every resource and the Durable task hub.')
@minLength(2)
@maxLength(10)
param appName string = 'distrack'

@description('Environment name, lowercase letters and digits (prod, staging, dev). Keeps environments apart: resource names and the Durable task hub.')
@minLength(2)
@maxLength(8)
param environmentName string

@description('Azure region; Flex Consumption must be available there.')
param location string = resourceGroup().location

@description('Python version of the Flex runtime; CI tests the same minor version.')
@allowed([
  '3.11'
  '3.12'
])
param pythonVersion string = '3.11'

@description('Memory of each instance in MB.')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Upper bound of scale-out: caps cost and the number of MongoDB connections (one client per instance).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Origins allowed to call the API from a browser (the website). Empty: no browser origin.')
param corsAllowedOrigins array = []

@description('Name of the MongoDB database (MONGODB_DB).')
param mongoDbName string = 'distrack'

@description('Application id of the Discord app for Sign in with Discord (DISCORD_CLIENT_ID). Empty: the sign-in routes answer 503.')
param discordClientId string = ''

@description('The website (WEBSITE_URL): where a sign-in ends, and what embeds link to.')
param websiteUrl string = 'https://distrack.nexusgit.info'

@description('redirect_uri values the website may use for sign-in besides the app\'s own callback (AUTH_REDIRECT_URIS).')
param authRedirectUris array = []

var tags = {
  application: appName
  environment: environmentName
}
var baseName = '${appName}-${environmentName}'
// Storage and Key Vault names are global and short: derive them from the subscription, group and environment.
var token = uniqueString(subscription().id, resourceGroup().id, appName, environmentName)
var functionAppName = 'func-${baseName}-${take(token, 6)}' // at most 31 characters: the host ID is its first 32
var deploymentContainerName = 'app-package'
// One task hub per environment: two apps (or a laptop) sharing a hub steal each other's work items.
var durableTaskHub = '${appName}${environmentName}'

// Built-in role definition IDs, the same in every tenant.
var roleIds = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
}

// The app's only identity: host storage, deployment package, Application Insights and Key Vault references.
resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: 'id-${baseName}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: 'st${token}'
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false // identity only: no account key can leak
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2025-02-01' = {
  name: 'log-${baseName}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: 'appi-${baseName}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true // telemetry is accepted from Entra ID identities only
  }
}

// Holds the secret settings (mongodb-uri, admin-api-key, ...), put there out of band: see docs/deploy.md.
resource keyVault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: 'kv-${token}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-11-01' = {
  name: 'plan-${baseName}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true // Linux
  }
}

resource functionApp 'Microsoft.Web/sites@2024-11-01' = {
  name: functionAppName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identity.id}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id // resolve @Microsoft.KeyVault(...) settings with the user-assigned identity
    siteConfig: {
      minTlsVersion: '1.2'
      cors: {
        allowedOrigins: corsAllowedOrigins
      }
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${storage::blobService::deploymentContainer.name}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.id
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'python'
        version: pythonVersion
      }
    }
  }

  // Every app setting, one line each. On Flex the runtime lives in functionAppConfig, so the worker runtime,
  // extension version, run-from-package and content-share settings must not appear here.
  resource appSettings 'config' = {
    name: 'appsettings'
    properties: {
      // Host storage through the identity. Blob: leases and keys; queue and table: the Durable task hub.
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identity.properties.clientId
      AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
      AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
      AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.properties.clientId};Authorization=AAD'
      // host.json: "hubName": "%DURABLE_TASK_HUB%".
      DURABLE_TASK_HUB: durableTaskHub
      // Settings of tracking/config.py. A secret is a Key Vault reference to the secret named like the setting,
      // in lower case with dashes (MONGODB_URI -> mongodb-uri).
      MONGODB_URI: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/mongodb-uri/)'
      MONGODB_DB: mongoDbName
      MONGODB_TIMEOUT_MS: '5000'
      MONGODB_JOB_TIMEOUT_MS: '600000'
      MAX_BODY_BYTES: '262144'
      ADMIN_API_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/admin-api-key/)'
      SERVICE_API_KEY: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/service-api-key/)'
      LINK_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/link-secret/)'
      // Sign in with Discord; the callback is this app's own host (register it as a redirect of the Discord app).
      DISCORD_CLIENT_ID: discordClientId
      DISCORD_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/discord-client-secret/)'
      DISCORD_API_BASE: 'https://discord.com/api'
      DISCORD_CDN_URL: 'https://cdn.discordapp.com'
      DISCORD_REDIRECT_URI: 'https://${functionApp.properties.defaultHostName}/api/auth/discord/callback'
      DISCORD_SCOPES: 'identify'
      AUTH_REDIRECT_URIS: join(authRedirectUris, ',')
      WEBSITE_URL: websiteUrl
      WEBSITE_JWT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.properties.vaultUri}secrets/website-jwt-secret/)'
      TRUSTED_PROXY_HOPS: '1'
      STREAK_MIN_SECONDS: '60'
      MAX_SESSION_AGE_DAYS: '30'
      WAKATIME_TIMEOUT_MINUTES: '15'
      WAKATIME_IMPORT_MAX_BYTES: '33554432'
      PRESENCE_TTL_SECONDS: '120'
      HEARTBEAT_MIN_GAP_SECONDS: '2'
      BOARD_TIMEZONE: 'UTC'
      // Timer schedules: six-field NCRONTAB, in UTC.
      SNAPSHOT_SCHEDULE: '0 5 * * * *'
      ROLLING_SWEEP_SCHEDULE: '0 * * * * *'
      CREDIT_SWEEP_SCHEDULE: '0 */10 * * * *'
      WEBHOOK_DELIVERY_SCHEDULE: '*/5 * * * * *'
      WEBHOOK_RETRY_DELAYS: '60,300,1800,7200,43200'
      WEBHOOK_ALLOW_INSECURE_LOOPBACK: 'false'
      STREAK_DECAY_SCHEDULE: '0 10 * * * *'
      CLEANUP_SCHEDULE: '0 0 2 * * Sun'
      STATS_SCHEDULE: '0 0 9 * * Mon'
      HEALTH_CHECK_SCHEDULE: '0 30 * * * *'
      STORAGE_WARN_MB: '100'
      // Data retention, in days.
      RETENTION_SESSION_DAYS: '90'
      RETENTION_DAY_SNAPSHOT_DAYS: '30'
      RETENTION_WEEK_SNAPSHOT_DAYS: '180'
      RETENTION_MONTH_SNAPSHOT_DAYS: '730'
      RETENTION_INACTIVE_USER_DAYS: '365'
      RETENTION_JOB_RUNS_DAYS: '30'
      RETENTION_WEBHOOK_DELIVERIES_DAYS: '30'
      CLEANUP_DRY_RUN: 'false'
      CLEANUP_BATCH_SIZE: '100'
    }
    // The host reaches storage and Key Vault with the identity as soon as these settings exist.
    dependsOn: [
      storageBlobDataOwner
      storageQueueDataContributor
      storageTableDataContributor
      monitoringMetricsPublisher
      keyVaultSecretsUser
    ]
  }
}

resource storageBlobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roleIds.storageBlobDataOwner)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageBlobDataOwner)
  }
}

resource storageQueueDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roleIds.storageQueueDataContributor)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageQueueDataContributor)
  }
}

resource storageTableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, identity.id, roleIds.storageTableDataContributor)
  scope: storage
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.storageTableDataContributor)
  }
}

resource monitoringMetricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, identity.id, roleIds.monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.monitoringMetricsPublisher)
  }
}

resource keyVaultSecretsUser 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(keyVault.id, identity.id, roleIds.keyVaultSecretsUser)
  scope: keyVault
  properties: {
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.keyVaultSecretsUser)
  }
}

// Names and URLs only: no key, connection string or secret leaves the deployment.
output functionAppName string = functionApp.name
output apiBaseUrl string = 'https://${functionApp.properties.defaultHostName}/api'
output keyVaultName string = keyVault.name
