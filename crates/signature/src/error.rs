//! What can go wrong when signing, each with a sentence in Kazakh and in
//! Russian that says what to do. No variant ever carries a password or key
//! material, so an error may be logged as it is.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// The key file is not a PKCS#12 file, or its password is wrong (the
    /// file's MAC does not verify).
    KeyFile(String),
    /// A ГОСТ (or other non-RSA) key: Kense signs only RSA key files
    /// itself; the head's ГОСТ key signs through NCALayer.
    NotRsa { algorithm: String },
    /// The certificate's IIN is not the head's.
    NotTheHead { found: Option<String>, expected: String },
    /// The certificate's BIN is not the office's.
    NotTheOffice { found: Option<String>, expected: String },
    /// The PDF cannot take a signature (not a PDF Kense made, already signed).
    Pdf(String),
    /// The signer's CMS does not fit the space reserved in the PDF.
    TooLarge { size: usize, reserved: usize },
    /// The signer answered with something that is not a detached CMS over
    /// the data it was given.
    BadSignature(String),
    /// The signer failed (a primitive, NCALayer's error, a cancel).
    Signer(String),
    /// A file offered as a certificate or CRL is neither.
    TrustFile,
}

impl SignatureError {
    /// The sentence in Kazakh.
    pub fn kk(&self) -> String {
        match self {
            Self::KeyFile(_) => "Кілт файлын ашу мүмкін болмады: құпия сөз қате немесе бұл PKCS#12 (.p12) файлы емес.".into(),
            Self::NotRsa { algorithm } => format!(
                "Бұл кілт RSA емес ({algorithm}). ГОСТ кілтімен NCALayer арқылы қол қойыңыз: NCALayer іске қосылғанына көз жеткізіп, «NCALayer арқылы қол қою» батырмасын басыңыз."
            ),
            Self::NotTheHead { found, expected } => format!(
                "Сертификат басшыға тиесілі емес: сертификаттағы ЖСН {}, басшының ЖСН {expected}.",
                found.as_deref().unwrap_or("жоқ")
            ),
            Self::NotTheOffice { found, expected } => format!(
                "Сертификат бөлімге тиесілі емес: сертификаттағы БСН {}, бөлімнің БСН {expected}.",
                found.as_deref().unwrap_or("жоқ")
            ),
            Self::Pdf(_) => "Бұл PDF файлына қол қою мүмкін емес (Kense жасаған құжат емес немесе оған қол қойылған).".into(),
            Self::TooLarge { size, reserved } => {
                format!("Қолтаңба тым үлкен: {size} байт, құжатта {reserved} байт орын бар.")
            }
            Self::BadSignature(_) => "Қол қою бағдарламасы жарамсыз қолтаңба қайтарды; құжатқа қол қойылмады.".into(),
            Self::Signer(_) => "Қол қою орындалмады; құжатқа қол қойылмады.".into(),
            Self::TrustFile => "Бұл файл сертификат (.cer, .crt, .pem) немесе кері қайтарылған сертификаттар тізімі (.crl) емес.".into(),
        }
    }

    /// The sentence in Russian.
    pub fn ru(&self) -> String {
        match self {
            Self::KeyFile(_) => "Не удалось открыть файл ключа: неверный пароль или это не файл PKCS#12 (.p12).".into(),
            Self::NotRsa { algorithm } => format!(
                "Этот ключ не RSA ({algorithm}). Ключом ГОСТ подписывайте через NCALayer: убедитесь, что NCALayer запущен, и нажмите «Подписать через NCALayer»."
            ),
            Self::NotTheHead { found, expected } => format!(
                "Сертификат не принадлежит руководителю: ИИН в сертификате {}, ИИН руководителя {expected}.",
                found.as_deref().unwrap_or("нет")
            ),
            Self::NotTheOffice { found, expected } => format!(
                "Сертификат не принадлежит отделу: БИН в сертификате {}, БИН отдела {expected}.",
                found.as_deref().unwrap_or("нет")
            ),
            Self::Pdf(_) => "Этот PDF нельзя подписать (документ сделан не Kense или уже подписан).".into(),
            Self::TooLarge { size, reserved } => {
                format!("Подпись слишком велика: {size} байт, в документе место для {reserved} байт.")
            }
            Self::BadSignature(_) => "Программа подписи вернула недействительную подпись; документ не подписан.".into(),
            Self::Signer(_) => "Подписание не выполнено; документ не подписан.".into(),
            Self::TrustFile => "Этот файл не сертификат (.cer, .crt, .pem) и не список отозванных сертификатов (.crl).".into(),
        }
    }
}

/// For logs and developers: the variant and its technical detail, in
/// English. A person reads [`SignatureError::kk`] and [`SignatureError::ru`].
impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::KeyFile(m) => write!(f, "cannot open the key file: {m}"),
            Self::NotRsa { algorithm } => write!(f, "the key is not RSA ({algorithm}); sign through NCALayer"),
            Self::NotTheHead { found, expected } => {
                write!(f, "the certificate's IIN {found:?} is not the head's {expected}")
            }
            Self::NotTheOffice { found, expected } => {
                write!(f, "the certificate's BIN {found:?} is not the office's {expected}")
            }
            Self::Pdf(m) => write!(f, "cannot sign this PDF: {m}"),
            Self::TooLarge { size, reserved } => write!(f, "the CMS takes {size} bytes, {reserved} reserved"),
            Self::BadSignature(m) => write!(f, "the signer's CMS is not valid: {m}"),
            Self::Signer(m) => write!(f, "signing failed: {m}"),
            Self::TrustFile => write!(f, "neither a certificate nor a CRL"),
        }
    }
}

impl std::error::Error for SignatureError {}
