//! Vocabulary IRIs: our `pkg:` namespace and the standard terms we reuse.
//!
//! Every `pkg:` term is declared in `ontology/policykg.ttl`; a test checks
//! that [`pkg::ALL`] and the ontology agree.

/// The role a unit plays for an item: one enum for the parser, the mapper
/// and the readers of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Leads (牵头).
    Lead,
    /// Supports (配合).
    Support,
    /// Responsible, jointly with the others listed, no lead stated (责任单位).
    Responsible,
}

impl Role {
    /// The name used in tables and exports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Support => "support",
            Self::Responsible => "responsible",
        }
    }

    /// Its `pkg:` term.
    #[must_use]
    pub fn iri(self) -> oxigraph::model::NamedNodeRef<'static> {
        match self {
            Self::Lead => pkg::LEAD,
            Self::Support => pkg::SUPPORT,
            Self::Responsible => pkg::RESPONSIBLE,
        }
    }

    /// The role of a `pkg:` term, if it is one.
    #[must_use]
    pub fn from_iri(iri: &str) -> Option<Self> {
        [Self::Lead, Self::Support, Self::Responsible]
            .into_iter()
            .find(|r| r.iri().as_str() == iri)
    }
}

/// The kind of an item: one enum for the parser, the mapper and the
/// readers of the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ItemKind {
    /// A key task (重点任务).
    KeyTask,
    /// A safeguard measure (保障措施).
    Safeguard,
}

impl ItemKind {
    /// The name used in tables and exports.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::KeyTask => "key-task",
            Self::Safeguard => "safeguard",
        }
    }

    /// Its `pkg:` class.
    #[must_use]
    pub fn iri(self) -> oxigraph::model::NamedNodeRef<'static> {
        match self {
            Self::KeyTask => pkg::KEY_TASK,
            Self::Safeguard => pkg::SAFEGUARD,
        }
    }

    /// The kind of a `pkg:` class, if it is one.
    #[must_use]
    pub fn from_iri(iri: &str) -> Option<Self> {
        [Self::KeyTask, Self::Safeguard]
            .into_iter()
            .find(|k| k.iri().as_str() == iri)
    }
}

/// Encodes text as one IRI path segment: ASCII letters, digits and `-._~`
/// and printable non-ASCII characters (IRIs allow them) stay readable;
/// everything else is percent-encoded.
#[must_use]
pub fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let readable = c.is_ascii_alphanumeric()
            || matches!(c, '-' | '.' | '_' | '~')
            || (u32::from(c) >= 0xA0
                && !c.is_whitespace()
                && !c.is_control()
                && !('\u{E000}'..='\u{F8FF}').contains(&c)
                && !('\u{FFF0}'..='\u{FFFF}').contains(&c)
                && !('\u{FDD0}'..='\u{FDEF}').contains(&c));
        if readable {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = std::fmt::Write::write_fmt(&mut out, format_args!("%{b:02X}"));
            }
        }
    }
    out
}

/// Prefixes used in dumps, tables and named queries.
pub const PREFIXES: &[(&str, &str)] = &[
    ("pkg", pkg::NS),
    ("pkgid", ID_BASE),
    ("dcterms", "http://purl.org/dc/terms/"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("org", "http://www.w3.org/ns/org#"),
    ("oa", "http://www.w3.org/ns/oa#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
];

/// Base of the IRIs we mint for documents, plans, items and units.
pub const ID_BASE: &str = "https://w3id.org/policykg/id/";

macro_rules! terms {
    ($ns:expr; $( $(#[$doc:meta])* $name:ident = $local:literal ),* $(,)?) => {
        $(
            $(#[$doc])*
            pub const $name: oxigraph::model::NamedNodeRef<'static> =
                oxigraph::model::NamedNodeRef::new_unchecked(concat!($ns, $local));
        )*
    };
    // The same, plus `ALL`: every term of the block, for the ontology check.
    (all; $ns:expr; $( $(#[$doc:meta])* $name:ident = $local:literal ),* $(,)?) => {
        terms! { $ns; $( $(#[$doc])* $name = $local ),* }

        /// Every term above, for the ontology check.
        pub const ALL: &[oxigraph::model::NamedNodeRef<'static>] = &[$($name),*];
    };
}

/// Our own terms.
pub mod pkg {
    /// Namespace.
    pub const NS: &str = "https://w3id.org/policykg/ontology#";

    terms! { all; "https://w3id.org/policykg/ontology#";
        /// A government action plan (the policy itself).
        ACTION_PLAN = "ActionPlan",
        /// The file that carries a plan (a news article, an official notice).
        SOURCE_DOCUMENT = "SourceDocument",
        /// A heading of a plan.
        SECTION = "Section",
        /// Something units are made responsible for.
        ACTION_ITEM = "ActionItem",
        /// A key task (重点任务).
        KEY_TASK = "KeyTask",
        /// A safeguard measure (保障措施).
        SAFEGUARD = "Safeguard",
        /// A responsibility list as written after an item.
        RESPONSIBILITY_LIST = "ResponsibilityList",
        /// One unit's place in one item's list (qualified relation).
        ASSIGNMENT = "Assignment",
        /// Class of roles.
        ROLE = "Role",
        /// Leads the item.
        LEAD = "Lead",
        /// Supports the lead.
        SUPPORT = "Support",
        /// Responsible jointly, no lead stated.
        RESPONSIBLE = "Responsible",
        /// Class of ways a role was decided.
        ROLE_BASIS = "RoleBasis",
        /// A label or role word in the list.
        EXPLICIT_LABEL = "ExplicitLabel",
        /// A rule the document states.
        STATED_RULE = "StatedRule",
        /// A plain list with no label and no stated rule.
        NO_LEAD_STATED = "NoLeadStated",
        /// A bracketed list with no label or role word, taken by guess.
        GUESSED = "Guessed",
        /// Class of ways a responsibility list was found in the text.
        EXTRACTION_BASIS = "ExtractionBasis",
        /// Found after a label (责任单位：).
        LABEL_BASIS = "LabelBasis",
        /// Found by role phrases after the names (X牵头，A配合).
        ROLE_PHRASE_BASIS = "RolePhraseBasis",
        /// Found in a column of a task-division table.
        TABLE_COLUMN_BASIS = "TableColumnBasis",
        /// Organisation-like names with no label or role word (a guess).
        BARE_LIST_BASIS = "BareListBasis",
        /// A task-division table (重点任务分工表), a section of its plan.
        TASK_TABLE = "TaskTable",
        /// Item → how its responsibility list was found.
        EXTRACTION_BASIS_PROP = "extractionBasis",
        /// Item → the task-division table its row is in.
        IN_TABLE = "inTable",
        /// A place whose government issues plans.
        JURISDICTION = "Jurisdiction",
        /// Source document → the plan it carries.
        REPORTS = "reports",
        /// Item → assignment.
        HAS_ASSIGNMENT = "hasAssignment",
        /// Item → its responsibility list.
        HAS_RESPONSIBILITY_LIST = "hasResponsibilityList",
        /// Assignment → unit.
        UNIT = "unit",
        /// Assignment → 1-based position in the list.
        POSITION = "position",
        /// Assignment → role.
        ROLE_PROP = "role",
        /// Assignment → how the role was decided.
        ROLE_BASIS_PROP = "roleBasis",
        /// Assignment → the unit's name as written in the list.
        UNIT_LABEL = "unitLabel",
        /// Item → unit responsible in any role (shortcut).
        RESPONSIBLE_UNIT = "responsibleUnit",
        /// Item → unit that leads it (shortcut).
        LEAD_UNIT = "leadUnit",
        /// List → whether 等 stands for further unnamed units.
        MORE_UNITS_UNNAMED = "moreUnitsUnnamed",
        /// Section or item → number as written.
        NUMBER = "number",
        /// Section or item → 1-based order in the document.
        ORDER = "order",
        /// Section → 1-based depth.
        LEVEL = "level",
        /// Item → full text.
        TEXT = "text",
        /// Item → the plan it belongs to.
        IN_PLAN = "inPlan",
        /// Section → the plan it belongs to, at any depth.
        SECTION_OF = "sectionOf",
        /// Plan → first year covered.
        PERIOD_START = "periodStart",
        /// Plan → last year covered.
        PERIOD_END = "periodEnd",
        /// Plan or unit → jurisdiction.
        JURISDICTION_PROP = "jurisdiction",
        /// Thing → where in the source it was read, as a Web Annotation
        /// `oa:SpecificResource` (made on demand, not stored).
        ANCHOR = "anchor",
        /// Thing (or anchor) → 1-based line where its text starts.
        LINE = "line",
        /// Thing → code-point offset in the source text where it starts.
        START = "start",
        /// Thing → code-point offset just past its end.
        END = "end",
        /// Source document → its whole text, once.
        SOURCE_TEXT = "sourceText",
        /// Source document → file name.
        FILE_NAME = "fileName",
        /// Source document → length in code points.
        LENGTH = "length",
        /// Unit → whether a registry knows it.
        RESOLVED = "resolved",
        /// Build run → version of policykg that made it.
        SOFTWARE_VERSION = "softwareVersion",
        /// Class of kinds of organisation (values of org:classification).
        ORGANISATION_KIND = "OrganisationKind",
        /// A department of a people's government (局, 委, 办, ministries).
        GOVERNMENT_DEPARTMENT = "GovernmentDepartment",
        /// An organ of the Communist Party (市委组织部, 市委网信办).
        PARTY_ORGAN = "PartyOrgan",
        /// A people's organisation (工商联, 科协, 团委).
        PEOPLES_ORGANISATION = "PeoplesOrganisation",
        /// The committee of a development zone (火炬管委会).
        ZONE_COMMITTEE = "ZoneCommittee",
        /// A people's government or its general office.
        GOVERNMENT = "Government",
        /// A local branch of a national agency (上海海关).
        CENTRAL_AGENCY_BRANCH = "CentralAgencyBranch",
        /// A public institution (事业单位).
        PUBLIC_INSTITUTION = "PublicInstitution",
        /// A state-owned enterprise.
        STATE_OWNED_ENTERPRISE = "StateOwnedEnterprise",
        /// A group of bodies named together (各区政府, 各有关单位).
        COLLECTIVE = "Collective",
        /// A technology (concept of the technology scheme).
        TECHNOLOGY = "Technology",
        /// A university, college or research institute.
        INSTITUTION = "Institution",
        /// A named place or landmark.
        PLACE = "Place",
        /// An event, festival, competition or city brand.
        EVENT = "Event",
        /// A law or regulation (《…法》, 《…条例》, 《…规定》).
        LEGAL_ACT = "LegalAct",
        /// Another policy document named in 《…》.
        POLICY_DOCUMENT = "PolicyDocument",
        /// A named platform or base.
        PLATFORM = "Platform",
        /// An industry association or alliance.
        ASSOCIATION = "Association",
        /// A field or sector (会展, 旅游).
        FIELD = "Field",
        /// One place where a text names a thing.
        MENTION = "Mention",
        /// Item or section → thing it names (shortcut).
        MENTIONS = "mentions",
        /// Item → one of its mentions.
        HAS_MENTION = "hasMention",
        /// Mention → the thing named.
        MENTION_OF = "mentionOf",
        /// Thing → whether a registry lists it (false: found by a pattern).
        REGISTERED = "registered",
        /// Registry entry → whether its name or English rendering is unverified.
        UNCERTAIN = "uncertain",
        /// Unit → the body whose second nameplate it is (一个机构两块牌子).
        NAMEPLATE_OF = "nameplateOf",
        /// Source document → hash of the file and of what read it, so that
        /// an unchanged document is not rebuilt.
        CONTENT_HASH = "contentHash",
    }
}

/// Dublin Core terms.
pub mod dcterms {
    terms! { "http://purl.org/dc/terms/";
        /// Title.
        TITLE = "title",
        /// Identifier (a document's id).
        IDENTIFIER = "identifier",
        /// Date as given by the source.
        DATE = "date",
        /// Date of issue.
        ISSUED = "issued",
        /// Author or issuing body.
        CREATOR = "creator",
        /// Keyword.
        SUBJECT = "subject",
        /// Summary.
        DESCRIPTION = "description",
        /// Part → whole.
        IS_PART_OF = "isPartOf",
        /// Whole → part.
        HAS_PART = "hasPart",
    }
}

/// SKOS.
pub mod skos {
    terms! { "http://www.w3.org/2004/02/skos/core#";
        /// Preferred label.
        PREF_LABEL = "prefLabel",
        /// Alternative label.
        ALT_LABEL = "altLabel",
    }
}

/// The W3C Organization ontology.
pub mod org {
    terms! { "http://www.w3.org/ns/org#";
        /// An organisation.
        ORGANIZATION = "Organization",
        /// Kind of organisation.
        CLASSIFICATION = "classification",
    }
}

/// The W3C Web Annotation vocabulary.
pub mod oa {
    terms! { "http://www.w3.org/ns/oa#";
        /// A part of a source.
        SPECIFIC_RESOURCE = "SpecificResource",
        /// Source of a specific resource.
        HAS_SOURCE = "hasSource",
        /// Selector of a specific resource.
        HAS_SELECTOR = "hasSelector",
        /// Selects by quoting.
        TEXT_QUOTE_SELECTOR = "TextQuoteSelector",
        /// Selects by code-point offsets.
        TEXT_POSITION_SELECTOR = "TextPositionSelector",
        /// The quoted text.
        EXACT = "exact",
        /// First code point.
        START = "start",
        /// One past the last code point.
        END = "end",
    }
}

/// PROV-O.
pub mod prov {
    terms! { "http://www.w3.org/ns/prov#";
        /// An activity.
        ACTIVITY = "Activity",
        /// A software agent.
        SOFTWARE_AGENT = "SoftwareAgent",
        /// Activity → entity it used.
        USED = "used",
        /// Entity → activity that made it.
        WAS_GENERATED_BY = "wasGeneratedBy",
        /// Activity → agent.
        WAS_ASSOCIATED_WITH = "wasAssociatedWith",
    }
}

/// RDF and RDFS.
pub mod rdf {
    terms! { "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
        /// rdf:type.
        TYPE = "type",
    }
    terms! { "http://www.w3.org/2000/01/rdf-schema#";
        /// rdfs:label.
        LABEL = "label",
    }
}

/// XML Schema datatypes.
pub mod xsd {
    terms! { "http://www.w3.org/2001/XMLSchema#";
        /// Date and time.
        DATE_TIME = "dateTime",
        /// Date.
        DATE = "date",
        /// Year.
        G_YEAR = "gYear",
    }
}
