//! Starting the service: the store, the HTTP listener, graceful shutdown. Usable as a library
//! (`Server::start`) by tests and the examples.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use asl_interpreter::Handlers;
use tokio::sync::oneshot;

use crate::service::{Service, Settings};
use crate::store::Store;

/// Where the data lives.
#[derive(Debug, Clone)]
pub enum Storage {
    /// `sfn-local.db` in this directory (created if needed).
    Dir(PathBuf),
    /// Nothing survives the process.
    InMemory,
}

/// A running server.
pub struct Server {
    /// The address it listens on.
    pub addr: SocketAddr,
    /// The service behind it.
    pub service: Arc<Service>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    retention: Option<tokio::task::JoinHandle<()>>,
}

/// Why a server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The data directory or database.
    #[error("cannot open the store: {0}")]
    Store(String),
    /// The listener.
    #[error("cannot listen on {0}: {1}")]
    Bind(String, std::io::Error),
}

impl Server {
    /// Opens the store, closes executions a previous process left running, and listens on
    /// `addr` (port 0 picks a free port).
    pub async fn start(
        addr: &str,
        storage: Storage,
        settings: Settings,
        handlers: Handlers,
    ) -> Result<Server, StartError> {
        let (store, inflight) = match &storage {
            Storage::Dir(d) => {
                std::fs::create_dir_all(d)
                    .map_err(|e| StartError::Store(format!("{}: {e}", d.display())))?;
                let store = Store::open(Some(&d.join("sfn-local.db")))
                    .map_err(|e| StartError::Store(e.to_string()))?;
                let inflight = crate::inflight::Inflight::open(d)
                    .map_err(|e| StartError::Store(format!("{}: {e}", d.display())))?;
                (store, Some(inflight))
            }
            Storage::InMemory => (
                Store::open(None).map_err(|e| StartError::Store(e.to_string()))?,
                None,
            ),
        };
        let (polls, suspects) = match inflight {
            Some((slots, suspects)) => (Some(slots.listener()), suspects),
            None => (None, Vec::new()),
        };
        let service = Service::new(settings, store, handlers, polls);
        let resumed = service
            .resume_interrupted(&suspects)
            .map_err(|e| StartError::Store(e.to_string()))?;
        if resumed > 0 {
            tracing::info!(
                count = resumed,
                "resumed executions left running by a previous process"
            );
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Bind(addr.to_string(), e))?;
        let local = listener
            .local_addr()
            .map_err(|e| StartError::Bind(addr.to_string(), e))?;
        let (tx, rx) = oneshot::channel::<()>();
        let hosts = crate::http::HostPolicy::for_bind(local, &service.settings.allowed_hosts);
        let app = crate::http::router(service.clone(), hosts);
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::error!(error = %e, "server stopped");
            }
        });
        let retention = service.spawn_retention();
        Ok(Server {
            addr: local,
            service,
            shutdown: Some(tx),
            task,
            retention,
        })
    }

    /// The endpoint URL (`http://127.0.0.1:PORT`).
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting requests, finishes those in flight, and flushes the store.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        if let Some(sweep) = self.retention.take() {
            sweep.abort();
        }
        self.service.writer.flush_async().await;
        // Executions still running are resumed at the next start; this stop is not a crash.
        if let Err(e) = self.service.store.clear_resume_counts() {
            tracing::warn!(error = %e, "cannot clear the resumption counts");
        }
    }
}
