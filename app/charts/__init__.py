"""Every Plotly figure of the lesson. Pure: data in, `go.Figure` out."""
