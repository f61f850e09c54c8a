@{
    RootModule           = 'EnvTools.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f3c2a9e-8d1b-4c57-9a0e-2b7d4e1f5c83'
    Author               = 'EnvTools'
    CompanyName          = 'EnvTools'
    Copyright            = '(c) EnvTools contributors. BSD-3-Clause.'
    Description          = 'A conda-compatible environment manager: create, solve, install, export and activate conda environments from PowerShell.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FormatsToProcess     = @('EnvTools.Format.ps1xml')
    CmdletsToExport      = @(
        'Find-EnvPackage'
        'Resolve-EnvPackage'
        'Get-EnvConfig'
        'New-Env'
        'Install-EnvPackage'
        'Update-EnvPackage'
        'Uninstall-EnvPackage'
        'Get-Env'
        'Get-EnvPackage'
        'Remove-Env'
        'Test-Env'
        'Clear-EnvCache'
        'Enable-Env'
        'Disable-Env'
        'Use-Env'
        'Get-EnvVariable'
        'Set-EnvVariable'
        'Remove-EnvVariable'
        'Get-EnvVirtualPackage'
        'Export-Env'
        'Update-Env'
        'Get-EnvHistory'
        'Restore-Env'
        'Rename-Env'
        'Get-EnvPin'
        'Add-EnvPin'
        'Remove-EnvPin'
        'Set-EnvConfig'
        'Add-EnvConfig'
        'Remove-EnvConfig'
        'Invoke-EnvCommand'
        'Get-EnvDependency'
        'Get-EnvInfo'
        'Publish-EnvChannel'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('conda', 'environment', 'packages', 'python', 'cuda')
            ProjectUri = 'https://example.invalid/envtools'
        }
    }
}
