package adapt

import (
	"context"
	"io"
	"time"

	adaptv1 "adapt/v1"

	"google.golang.org/grpc/codes"
)

type events interface {
	Recv() (*adaptv1.Event, error)
}

var terminal = map[adaptv1.State]bool{adaptv1.State_SUCCEEDED: true, adaptv1.State_FAILED: true, adaptv1.State_CANCELLED: true}

// waitFor follows the event log of a resource until a terminal event, then gets it; it reconnects while the
// server is UNAVAILABLE (a restart). A FAILED or CANCELLED end is a *JobError; ctx bounds the whole wait.
func waitFor[T any](ctx context.Context, id string, watch func(context.Context, *adaptv1.WatchRequest) (events, error),
	get func(context.Context, string) (T, adaptv1.State, *adaptv1.ErrorInfo, error)) (T, error) {
	var after int64
	for {
		watchCtx, cancel := context.WithCancel(ctx)
		stream, err := watch(watchCtx, &adaptv1.WatchRequest{Id: id, AfterSequence: after})
		for err == nil {
			var event *adaptv1.Event
			if event, err = stream.Recv(); err == nil {
				after = event.Sequence
				if terminal[event.State] {
					break
				}
			}
		}
		cancel() // ends the watch call (the server closes it after a terminal event anyway)
		if err != nil && err != io.EOF {
			if Code(err) != codes.Unavailable || ctx.Err() != nil {
				var zero T
				return zero, wrap(err)
			}
			select {
			case <-time.After(500 * time.Millisecond):
				continue
			case <-ctx.Done():
				var zero T
				return zero, ctx.Err()
			}
		}
		resource, state, reason, err := get(ctx, id)
		if err != nil || !terminal[state] {
			if err != nil {
				return resource, wrap(err)
			}
			continue
		}
		switch state {
		case adaptv1.State_FAILED:
			code, message := codes.Unknown, "no reason given"
			if reason != nil {
				message = reason.Message
				for c := codes.OK; c <= codes.Unauthenticated; c++ {
					if CodeName(c) == reason.Code {
						code = c
					}
				}
			}
			return resource, &JobError{ResourceID: id, State: "FAILED", Code: code, Message: message}
		case adaptv1.State_CANCELLED:
			return resource, &JobError{ResourceID: id, State: "CANCELLED", Code: codes.Canceled, Message: "cancelled"}
		}
		return resource, nil
	}
}

// WaitDataset blocks until the dataset's import ends and returns it; a FAILED or CANCELLED end is a *JobError.
func (c *Client) WaitDataset(ctx context.Context, id string) (*adaptv1.Dataset, error) {
	return waitFor(ctx, id, func(ctx context.Context, r *adaptv1.WatchRequest) (events, error) {
		return c.Datasets.WatchDataset(ctx, r)
	}, func(ctx context.Context, id string) (*adaptv1.Dataset, adaptv1.State, *adaptv1.ErrorInfo, error) {
		d, err := c.Datasets.GetDataset(ctx, &adaptv1.GetDatasetRequest{Id: id})
		return d, d.GetState(), d.GetError(), err
	})
}

// WaitEvaluation blocks until the evaluation ends; its Result holds the leaderboard and the winner.
func (c *Client) WaitEvaluation(ctx context.Context, id string) (*adaptv1.Evaluation, error) {
	return waitFor(ctx, id, func(ctx context.Context, r *adaptv1.WatchRequest) (events, error) {
		return c.Evaluations.WatchEvaluation(ctx, r)
	}, func(ctx context.Context, id string) (*adaptv1.Evaluation, adaptv1.State, *adaptv1.ErrorInfo, error) {
		e, err := c.Evaluations.GetEvaluation(ctx, &adaptv1.GetEvaluationRequest{Id: id})
		return e, e.GetState(), e.GetError(), err
	})
}

// WaitFineTune blocks until the fine-tune ends; its ModelId is the tuned model.
func (c *Client) WaitFineTune(ctx context.Context, id string) (*adaptv1.FineTune, error) {
	return waitFor(ctx, id, func(ctx context.Context, r *adaptv1.WatchRequest) (events, error) {
		return c.FineTunes.WatchFineTune(ctx, r)
	}, func(ctx context.Context, id string) (*adaptv1.FineTune, adaptv1.State, *adaptv1.ErrorInfo, error) {
		f, err := c.FineTunes.GetFineTune(ctx, &adaptv1.GetFineTuneRequest{Id: id})
		return f, f.GetState(), f.GetError(), err
	})
}

// AllDatasets lists every dataset, pageSize at a time (0: the server's default).
func (c *Client) AllDatasets(ctx context.Context, pageSize int32) ([]*adaptv1.Dataset, error) {
	var all []*adaptv1.Dataset
	token := ""
	for {
		page, err := c.Datasets.ListDatasets(ctx, &adaptv1.ListDatasetsRequest{PageSize: pageSize, PageToken: token})
		if err != nil {
			return all, wrap(err)
		}
		all = append(all, page.Datasets...)
		if token = page.NextPageToken; token == "" {
			return all, nil
		}
	}
}
