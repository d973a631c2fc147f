package plugin

import (
	"encoding/json"
	"fmt"
	"strings"

	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/automaldesc/automaldesc/analysis"
	"github.com/automaldesc/automaldesc/analysis/lang"
	pb "github.com/automaldesc/automaldesc/plugin/proto/automaldesc/v1"
)

// This file is the only place that converts between the Go API and the
// protobuf types (toproto / fromproto).

func toProtoSample(r Request) *pb.Sample {
	return &pb.Sample{Data: r.Data, Name: r.Name, Path: r.Path, Source: r.Source, Signature: r.Signature, Metadata: r.Meta}
}

func fromProtoSample(s *pb.Sample) Request {
	return Request{Data: s.GetData(), Name: s.GetName(), Path: s.GetPath(), Source: s.GetSource(),
		Signature: s.GetSignature(), Meta: s.GetMetadata()}
}

// toProtoReport encodes r as its JSON plus the typed summary.
func toProtoReport(r *analysis.Report) (*pb.Report, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	return &pb.Report{
		ReportJson:    b,
		SchemaVersion: r.SchemaVersion,
		Id:            r.ID,
		Status:        string(r.Status),
		Label:         r.Verdict.Label.String(),
		Score:         r.Verdict.Score,
		Language:      r.Language.Language.String(),
		Sha256:        r.Sample.SHA256,
	}, nil
}

// fromProtoReport decodes the report JSON. A report whose schema major
// version differs from the host's is a protocol error: its fields may have
// been renamed or removed.
func fromProtoReport(p *pb.Report) (*analysis.Report, error) {
	if p == nil || len(p.GetReportJson()) == 0 {
		return nil, fmt.Errorf("%w: answer holds no report", ErrProtocol)
	}
	if got, want := major(p.GetSchemaVersion()), major(analysis.SchemaVersion); got != want {
		return nil, fmt.Errorf("%w: plugin sends report schema %s, host understands %s.x", ErrProtocol, p.GetSchemaVersion(), want)
	}
	r := new(analysis.Report)
	if err := json.Unmarshal(p.GetReportJson(), r); err != nil {
		return nil, fmt.Errorf("%w: decode report: %v", ErrProtocol, err)
	}
	return r, nil
}

func major(v string) string {
	m, _, _ := strings.Cut(v, ".")
	return m
}

func langNames(ls []lang.Language) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.String()
	}
	return out
}

// parseLangs keeps the languages this host knows; a newer plugin may name
// more.
func parseLangs(names []string) []lang.Language {
	out := make([]lang.Language, 0, len(names))
	for _, n := range names {
		if l, err := lang.Parse(n); err == nil {
			out = append(out, l)
		}
	}
	return out
}

func toProtoInfo(in Info) *pb.InfoResponse {
	out := &pb.InfoResponse{
		Versions: &pb.Versions{Engine: in.Versions.Engine, Rules: in.Versions.Rules, Model: in.Versions.Model,
			Schema: in.Versions.Schema, Protocol: uint32(in.Versions.Protocol)},
		Languages: langNames(in.Languages),
		Limits: &pb.Limits{MaxFileSize: in.Limits.MaxFileSize, SampleTimeout: durationpb.New(in.Limits.SampleTimeout),
			MaxConcurrency: uint32(in.Limits.MaxConcurrency), MaxMessageBytes: in.Limits.MaxMessageBytes},
		Capabilities: &pb.Capabilities{Feedback: in.Capabilities.Feedback},
	}
	for _, i := range in.Indicators {
		out.Indicators = append(out.Indicators, &pb.Indicator{Id: i.ID, Title: i.Title, Description: i.Description,
			Severity: i.Severity, Tactic: i.Tactic, Techniques: i.Techniques, Languages: langNames(i.Languages)})
	}
	for _, f := range in.Features {
		out.Features = append(out.Features, &pb.Feature{Name: f.Name, Description: f.Description})
	}
	for _, d := range in.Decoders {
		out.Decoders = append(out.Decoders, &pb.Decoder{Id: d.ID, Description: d.Description, Languages: langNames(d.Languages)})
	}
	return out
}

func fromProtoInfo(p *pb.InfoResponse) Info {
	v, l := p.GetVersions(), p.GetLimits()
	out := Info{
		Versions: Versions{Engine: v.GetEngine(), Rules: v.GetRules(), Model: v.GetModel(), Schema: v.GetSchema(),
			Protocol: int(v.GetProtocol())},
		Languages: parseLangs(p.GetLanguages()),
		Limits: Limits{MaxFileSize: l.GetMaxFileSize(), SampleTimeout: l.GetSampleTimeout().AsDuration(),
			MaxConcurrency: int(l.GetMaxConcurrency()), MaxMessageBytes: l.GetMaxMessageBytes()},
		Capabilities: Capabilities{Feedback: p.GetCapabilities().GetFeedback()},
	}
	for _, i := range p.GetIndicators() {
		out.Indicators = append(out.Indicators, Indicator{ID: i.GetId(), Title: i.GetTitle(), Description: i.GetDescription(),
			Severity: i.GetSeverity(), Tactic: i.GetTactic(), Techniques: i.GetTechniques(), Languages: parseLangs(i.GetLanguages())})
	}
	for _, f := range p.GetFeatures() {
		out.Features = append(out.Features, Feature{Name: f.GetName(), Description: f.GetDescription()})
	}
	for _, d := range p.GetDecoders() {
		out.Decoders = append(out.Decoders, Decoder{ID: d.GetId(), Description: d.GetDescription(), Languages: parseLangs(d.GetLanguages())})
	}
	return out
}

func toProtoFeedback(fb Feedback) *pb.Feedback {
	out := &pb.Feedback{Id: fb.ID, RecordId: fb.RecordID, Sha256: fb.SHA256, IndicatorId: fb.IndicatorID, Analyst: fb.Analyst,
		Disposition: fb.Disposition, Category: fb.Category, Summary: fb.Summary, Rating: int32(fb.Rating), Note: fb.Note}
	if !fb.CreatedAt.IsZero() {
		out.CreatedAt = timestamppb.New(fb.CreatedAt)
	}
	return out
}

func fromProtoFeedback(p *pb.Feedback) Feedback {
	fb := Feedback{ID: p.GetId(), RecordID: p.GetRecordId(), SHA256: p.GetSha256(), IndicatorID: p.GetIndicatorId(),
		Analyst: p.GetAnalyst(), Disposition: p.GetDisposition(), Category: p.GetCategory(), Summary: p.GetSummary(),
		Rating: int(p.GetRating()), Note: p.GetNote()}
	if p.GetCreatedAt() != nil {
		fb.CreatedAt = p.GetCreatedAt().AsTime()
	}
	return fb
}
