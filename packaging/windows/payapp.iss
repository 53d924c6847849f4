; Inno Setup script for PayApp (Windows). Build the bundle first (tools/build_bundle.sh, on Windows in Git Bash,
; or `python -m PyInstaller pyinstaller.spec`), then:
;   iscc /DAppVersion=0.1.0 packaging\windows\payapp.iss
; Output: dist\installer\PayApp-<version>-setup.exe. Sign PayApp.exe before packaging and the setup.exe after
; (signtool sign /fd sha256 /tr <timestamp-url> /td sha256 ...), or configure SignTool= below.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#define AppName "PayApp"
#define AppExe "PayApp.exe"

[Setup]
; A fixed AppId keeps upgrades in place; never change it after the first release.
AppId={{6F0C5E2A-3B8E-4C1B-9E7A-5D2F4A8C9B10}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=PayApp
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-machine install by default; staff without admin rights may choose a per-user install.
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist\installer
OutputBaseFilename=PayApp-{#AppVersion}-setup
SetupIconFile=..\..\payapp\resources\icons\app.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
CloseApplications=yes
; The user's data (database, keyring entries, logs) lives in %LOCALAPPDATA%\PayApp and the Windows Credential
; Manager, never under {app}: uninstalling does not delete a company's payments.

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"
Name: "german"; MessagesFile: "compiler:Languages\German.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "..\..\dist\PayApp\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[InstallDelete]
; One-folder bundles change file names between versions: clear the old _internal before copying the new one.
Type: filesandordirs; Name: "{app}\_internal"
